"""Count the rows and empty cells per column of a CSV file."""
import csv
import sys

DEFAULT_FILE = "orders.csv"


def summarise(path):
    """Return (row count, list of (column, empty cells))."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        empty = [0] * len(header)
        rows = 0
        for row in reader:
            rows += 1
            for index in range(len(header)):
                if index >= len(row) or not row[index].strip():
                    empty[index] += 1
    return rows, list(zip(header, empty))


def main(argv=None):
    """Print the summary of the named file (orders.csv by default)."""
    args = sys.argv[1:] if argv is None else argv
    rows, columns = summarise(args[0] if args else DEFAULT_FILE)
    print("rows: %d" % rows)
    for name, count in columns:
        print("%s: %d empty" % (name, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
