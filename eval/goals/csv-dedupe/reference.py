"""Remove duplicate rows from a CSV file by a key column."""
import argparse
import csv
import sys


def parse_args(argv):
    """Parse the input file, --key and --output."""
    parser = argparse.ArgumentParser(description="Remove duplicate CSV rows.")
    parser.add_argument("input")
    parser.add_argument("--key", default=None, help="key column (default: whole row)")
    parser.add_argument("--output", required=True)
    return parser.parse_args(argv)


def dedupe(rows, index):
    """Return (kept rows, removed count), keeping the first row of each key."""
    seen = set()
    kept = []
    for row in rows:
        key = tuple(row) if index is None else row[index]
        if key in seen:
            continue
        seen.add(key)
        kept.append(row)
    return kept, len(rows) - len(kept)


def main(argv=None):
    """Dedupe the file and write the result."""
    args = parse_args(argv)
    with open(args.input, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    index = None if args.key is None else header.index(args.key)
    kept, removed = dedupe(body, index)
    with open(args.output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(kept)
    print("removed %d" % removed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
