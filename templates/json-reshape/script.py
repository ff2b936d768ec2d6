"""JSON reshaper: turns a saved API response into a flat list of records with chosen fields."""

import argparse
import json
import sys
from pathlib import Path

SEPARATOR = "."


def parse_args(argv):
    """Reads the JSON file, the path to the list of records and the fields to keep."""
    parser = argparse.ArgumentParser(description="Reshape a JSON file (e.g. a saved API response).")
    parser.add_argument("input", type=Path, help="the JSON file to read")
    parser.add_argument("--records", default="", help="dotted path to the list of records (default: the top level)")
    parser.add_argument("--fields", default="", help="comma-separated dotted fields to keep (default: all)")
    parser.add_argument("--output", type=Path, default=None, help="write here instead of stdout")
    return parser.parse_args(argv)


def dig(value, path):
    """The value at a dotted path (a.b.0.c); None when any step is missing."""
    for step in [s for s in path.split(SEPARATOR) if s]:
        if isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return None
    return value


def flatten(record, prefix=""):
    """A nested dictionary as one level with dotted keys."""
    flat = {}
    for key, value in record.items():
        name = f"{prefix}{SEPARATOR}{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten(value, name))
        else:
            flat[name] = value
    return flat


def reshape(data, records_path, fields):
    """The records at `records_path`, flattened and reduced to `fields` (all when empty)."""
    records = dig(data, records_path) if records_path else data
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise ValueError(f"no list of records at '{records_path}'")
    flat = [flatten(r) if isinstance(r, dict) else {"value": r} for r in records]
    if fields:
        flat = [{f: row.get(f) for f in fields} for row in flat]
    return flat


def main(argv=None):
    args = parse_args(argv)
    try:
        data = json.loads(args.input.read_text(encoding="utf-8"))
        fields = [f.strip() for f in args.fields.split(",") if f.strip()]
        result = reshape(data, args.records, fields)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {len(result)} records to {args.output}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
