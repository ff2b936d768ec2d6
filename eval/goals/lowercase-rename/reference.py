"""Rename the files of a folder to lower case."""
import argparse
import os
import sys


def parse_args(argv):
    """Parse the folder and --dry-run."""
    parser = argparse.ArgumentParser(description="Lower-case file names.")
    parser.add_argument("folder")
    parser.add_argument("--dry-run", action="store_true")
    return parser.parse_args(argv)


def plan(names):
    """Return (renames as (old, new) pairs, skipped names)."""
    existing = set(names)
    renames = []
    skipped = []
    for name in sorted(names):
        lower = name.lower()
        if lower == name:
            continue
        if lower in existing:
            skipped.append(name)
            continue
        renames.append((name, lower))
        existing.add(lower)
    return renames, skipped


def main(argv=None):
    """Rename (or, with --dry-run, list) the files."""
    args = parse_args(argv)
    names = [n for n in os.listdir(args.folder) if os.path.isfile(os.path.join(args.folder, n))]
    renames, skipped = plan(names)
    for old, new in renames:
        print("%s -> %s" % (old, new))
        if not args.dry_run:
            os.rename(os.path.join(args.folder, old), os.path.join(args.folder, new))
    for name in skipped:
        print("skipped %s" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
