"""Split a text file into pieces of N lines."""
import argparse
import sys


def parse_args(argv):
    """Parse the file and --lines."""
    parser = argparse.ArgumentParser(description="Split a file by lines.")
    parser.add_argument("file")
    parser.add_argument("--lines", type=int, default=100)
    return parser.parse_args(argv)


def split_lines(lines, size):
    """Return the lines in chunks of size."""
    return [lines[i : i + size] for i in range(0, len(lines), size)]


def main(argv=None):
    """Write part1.txt, part2.txt, …"""
    args = parse_args(argv)
    with open(args.file, encoding="utf-8") as handle:
        lines = handle.readlines()
    chunks = split_lines(lines, args.lines)
    for number, chunk in enumerate(chunks, start=1):
        with open("part%d.txt" % number, "w", encoding="utf-8") as handle:
            handle.writelines(chunk)
    print("wrote %d files" % len(chunks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
