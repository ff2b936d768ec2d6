"""CSV/Excel transform: keeps the rows matching a filter, selects columns and writes the result as CSV."""

import argparse
import csv
import sys
from pathlib import Path

OUTPUT_NAME = "output.csv"


def parse_args(argv):
    """Reads the input file, the columns to keep, an optional column=value filter and the output path."""
    parser = argparse.ArgumentParser(description="Filter and select columns of a CSV or Excel file.")
    parser.add_argument("input", type=Path, help="a .csv file, or .xlsx when pandas is installed")
    parser.add_argument("--columns", default="", help="comma-separated columns to keep (default: all)")
    parser.add_argument("--where", default="", help="keep only rows where COLUMN=VALUE")
    parser.add_argument("--output", type=Path, default=Path(OUTPUT_NAME), help="where to write the CSV")
    return parser.parse_args(argv)


def read_rows(path):
    """The file's rows as dictionaries: CSV with the csv module, Excel through pandas."""
    if path.suffix.lower() in (".xlsx", ".xls"):
        try:
            import pandas
        except ImportError as error:
            raise ValueError("reading Excel files needs pandas, which is not installed") from error
        frame = pandas.read_excel(path, dtype=str).fillna("")
        return frame.to_dict(orient="records")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def transform(rows, columns, where):
    """Rows matching `where` (COLUMN=VALUE, or all when empty), reduced to `columns` (all when empty)."""
    if where:
        key, _, value = where.partition("=")
        rows = [row for row in rows if str(row.get(key.strip(), "")) == value.strip()]
    if columns:
        rows = [{name: row.get(name, "") for name in columns} for row in rows]
    return rows


def write_rows(rows, path):
    """Writes the rows as CSV with a header; returns how many were written."""
    fields = list(rows[0].keys()) if rows else []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main(argv=None):
    args = parse_args(argv)
    if not args.input.is_file():
        print(f"error: {args.input} not found", file=sys.stderr)
        return 2
    try:
        rows = read_rows(args.input)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    result = transform(rows, columns, args.where)
    count = write_rows(result, args.output)
    print(f"wrote {count} of {len(rows)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
