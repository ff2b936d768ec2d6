"""Top client IPs and error count of an access log."""
import argparse
import sys
from collections import Counter


def parse_args(argv):
    """Parse the log path and --top."""
    parser = argparse.ArgumentParser(description="Top client IPs.")
    parser.add_argument("log")
    parser.add_argument("--top", type=int, default=3)
    return parser.parse_args(argv)


def scan(lines):
    """Return (requests per IP, count of 4xx/5xx responses)."""
    ips = Counter()
    errors = 0
    for line in lines:
        parts = line.split()
        if len(parts) < 9:
            continue
        ips[parts[0]] += 1
        if parts[8][:1] in ("4", "5"):
            errors += 1
    return ips, errors


def main(argv=None):
    """Print the busiest IPs and the error count."""
    args = parse_args(argv)
    with open(args.log, encoding="utf-8") as handle:
        ips, errors = scan(handle)
    ranked = sorted(ips.items(), key=lambda item: (-item[1], item[0]))
    for ip, count in ranked[: args.top]:
        print("%s %d" % (ip, count))
    print("errors: %d" % errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
