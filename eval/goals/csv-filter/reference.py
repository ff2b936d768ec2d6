"""Print the CSV rows whose column equals a value."""
import csv
import sys


def filter_rows(path, column, value):
    """Return the header and the matching rows."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        index = header.index(column)
        return header, [row for row in reader if row[index] == value]


def main(argv=None):
    """Filter the file and write CSV to stdout."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print("usage: filter.py FILE COLUMN VALUE", file=sys.stderr)
        return 2
    header, rows = filter_rows(args[0], args[1], args[2])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
