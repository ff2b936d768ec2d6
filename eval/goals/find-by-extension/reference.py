"""List the files with one extension in a folder, with sizes."""
import argparse
import os
import sys


def parse_args(argv):
    """Parse the folder and --ext."""
    parser = argparse.ArgumentParser(description="Find files by extension.")
    parser.add_argument("folder")
    parser.add_argument("--ext", required=True)
    return parser.parse_args(argv)


def find_files(folder, ext):
    """Return sorted (name, size) pairs of regular files ending in ext."""
    found = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(ext) and os.path.isfile(path):
            found.append((name, os.path.getsize(path)))
    return found


def main(argv=None):
    """Print the files and the totals."""
    args = parse_args(argv)
    found = find_files(args.folder, args.ext)
    for name, size in found:
        print("%s %d" % (name, size))
    print("%d files, %d bytes" % (len(found), sum(size for _, size in found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
