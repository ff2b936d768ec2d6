"""Trim CSV cells and drop rows with an empty cell."""
import argparse
import csv
import sys


def parse_args(argv):
    """Parse the input and --output."""
    parser = argparse.ArgumentParser(description="Clean a CSV file.")
    parser.add_argument("input")
    parser.add_argument("--output", required=True)
    return parser.parse_args(argv)


def clean(rows):
    """Trim every cell and keep the rows without an empty cell."""
    trimmed = [[cell.strip() for cell in row] for row in rows]
    return [row for row in trimmed if row and all(row)]


def main(argv=None):
    """Clean the input into the output."""
    args = parse_args(argv)
    with open(args.input, newline="", encoding="utf-8") as handle:
        rows = clean(list(csv.reader(handle)))
    with open(args.output, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    print("kept %d rows" % (len(rows) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
