"""Convert lengths and weights between units."""
import argparse
import sys

UNITS = {
    "m": ("length", 1.0), "km": ("length", 1000.0), "mi": ("length", 1609.344), "ft": ("length", 0.3048),
    "g": ("weight", 1.0), "kg": ("weight", 1000.0), "lb": ("weight", 453.59237),
}


def parse_args(argv):
    """Parse VALUE FROM TO."""
    parser = argparse.ArgumentParser(description="Convert lengths and weights.")
    parser.add_argument("value", type=float)
    parser.add_argument("source", metavar="FROM", choices=sorted(UNITS))
    parser.add_argument("target", metavar="TO", choices=sorted(UNITS))
    return parser.parse_args(argv)


def convert(value, source, target):
    """Return value in target units. @raises ValueError across kinds."""
    kind_a, factor_a = UNITS[source]
    kind_b, factor_b = UNITS[target]
    if kind_a != kind_b:
        raise ValueError("cannot convert %s (%s) to %s (%s)" % (source, kind_a, target, kind_b))
    return value * factor_a / factor_b


def main(argv=None):
    """Print the conversion."""
    args = parse_args(argv)
    try:
        result = convert(args.value, args.source, args.target)
    except ValueError as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    print("%g %s = %.3f %s" % (args.value, args.source, result, args.target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
