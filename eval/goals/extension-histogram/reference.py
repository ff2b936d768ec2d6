"""Count files per extension under a directory."""
import os
import sys
from collections import Counter


def histogram(root):
    """Return a Counter of extension -> file count under root."""
    counts = Counter()
    for _folder, _dirs, files in os.walk(root):
        for name in files:
            ext = os.path.splitext(name)[1]
            counts[ext if ext else "(none)"] += 1
    return counts


def main(argv=None):
    """Print the counts, most common first."""
    args = sys.argv[1:] if argv is None else argv
    root = args[0] if args else "."
    counts = histogram(root)
    for ext, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print("%s: %d" % (ext, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
