"""Command-line tool over files: lists the files under a folder that match a pattern, with sizes and line counts."""

import argparse
import sys
from pathlib import Path

DEFAULT_PATTERN = "*.txt"


def parse_args(argv):
    """Reads the command line: the folder, the glob pattern and whether to recurse."""
    parser = argparse.ArgumentParser(description="List matching files with their sizes and line counts.")
    parser.add_argument("folder", type=Path, help="the folder to look in")
    parser.add_argument("--pattern", default=DEFAULT_PATTERN, help="glob pattern (default %(default)s)")
    parser.add_argument("--recursive", action="store_true", help="also look in sub-folders")
    return parser.parse_args(argv)


def find_files(folder, pattern, recursive):
    """The files under `folder` matching `pattern`, sorted by path."""
    matches = folder.rglob(pattern) if recursive else folder.glob(pattern)
    return sorted(p for p in matches if p.is_file())


def describe_file(path):
    """One report line for a file: its name, size in bytes and number of lines."""
    data = path.read_bytes()
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return f"{path.name}\t{len(data)} bytes\t{lines} lines"


def main(argv=None):
    args = parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    files = find_files(args.folder, args.pattern, args.recursive)
    for path in files:
        print(describe_file(path))
    print(f"{len(files)} file(s) matched {args.pattern}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
