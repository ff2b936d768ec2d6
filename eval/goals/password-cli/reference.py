"""Generate random passwords."""
import argparse
import secrets
import string
import sys

SYMBOLS = "!@#$%^&*-_=+?"


def parse_args(argv):
    """Parse --length, --count and --no-symbols."""
    parser = argparse.ArgumentParser(description="Generate passwords.")
    parser.add_argument("--length", type=int, default=16)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--no-symbols", action="store_true")
    args = parser.parse_args(argv)
    if args.length < 8:
        parser.error("--length must be at least 8")
    return args


def make_password(length, symbols):
    """Return a password with a lowercase, an uppercase letter and a digit."""
    alphabet = string.ascii_letters + string.digits + (SYMBOLS if symbols else "")
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in password) and any(c.isupper() for c in password)
                and any(c.isdigit() for c in password)):
            return password


def main(argv=None):
    """Print the passwords."""
    args = parse_args(argv)
    for _ in range(args.count):
        print(make_password(args.length, not args.no_symbols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
