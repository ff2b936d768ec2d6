"""Sum a numeric column of a CSV file."""
import csv
import sys


def sum_column(path, column):
    """Return (total, skipped) over the column's numeric cells."""
    total = 0.0
    skipped = 0
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if column not in (reader.fieldnames or []):
            raise KeyError(column)
        for row in reader:
            try:
                total += float(row[column])
            except (TypeError, ValueError):
                skipped += 1
    return total, skipped


def main(argv=None):
    """Print the total and the skipped count."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: sum.py FILE COLUMN", file=sys.stderr)
        return 2
    try:
        total, skipped = sum_column(args[0], args[1])
    except KeyError:
        print("no column %r" % args[1], file=sys.stderr)
        return 1
    print("total: %.2f" % total)
    print("skipped: %d" % skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
