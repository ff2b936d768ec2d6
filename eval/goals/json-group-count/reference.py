"""Group JSON order records by a field with counts and totals."""
import argparse
import json
import sys


def parse_args(argv):
    """Parse the file and --by."""
    parser = argparse.ArgumentParser(description="Group orders by a field.")
    parser.add_argument("file")
    parser.add_argument("--by", default="status")
    return parser.parse_args(argv)


def group(records, field):
    """Map each value of field to its count and amount total."""
    groups = {}
    for record in records:
        entry = groups.setdefault(str(record.get(field)), {"count": 0, "total": 0})
        entry["count"] += 1
        entry["total"] += record.get("amount", 0)
    return groups


def main(argv=None):
    """Print the groups as JSON."""
    args = parse_args(argv)
    with open(args.file, encoding="utf-8") as handle:
        records = json.load(handle)
    print(json.dumps(group(records, args.by), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
