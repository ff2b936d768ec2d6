"""Convert a CSV file to a JSON list of objects."""
import csv
import json
import sys


def convert(value):
    """Return value as an int or float when it is one, else unchanged."""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def read_records(path):
    """Read the CSV file as a list of dicts with numbers converted."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [{key: convert(value) for key, value in row.items()} for row in csv.DictReader(handle)]


def main(argv=None):
    """Convert the input CSV to the output JSON."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: csv2json.py IN.csv OUT.json", file=sys.stderr)
        return 2
    records = read_records(args[0])
    with open(args[1], "w", encoding="utf-8") as handle:
        json.dump(records, handle, indent=2)
    print("wrote %d records" % len(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
