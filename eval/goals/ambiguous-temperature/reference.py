"""Convert temperatures in a file from Fahrenheit to Celsius."""
import sys


def to_celsius(fahrenheit):
    """Return fahrenheit in Celsius."""
    return (fahrenheit - 32) * 5 / 9


def main(argv=None):
    """Print each converted value with one decimal."""
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                print("%.1f" % to_celsius(float(line)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
