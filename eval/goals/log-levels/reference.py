"""Summarise a log file by level and its most frequent error."""
import re
import sys
from collections import Counter

LINE = re.compile(r"^\S+ \S+ (DEBUG|INFO|WARNING|ERROR) (.*)$")


def summarise(lines):
    """Return (counts per level, Counter of error messages)."""
    levels = Counter()
    errors = Counter()
    for line in lines:
        match = LINE.match(line.rstrip("\n"))
        if not match:
            continue
        levels[match.group(1)] += 1
        if match.group(1) == "ERROR":
            errors[match.group(2)] += 1
    return levels, errors


def main(argv=None):
    """Print the summary of the log named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], encoding="utf-8") as handle:
        levels, errors = summarise(handle)
    for level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        if levels[level]:
            print("%s: %d" % (level, levels[level]))
    if errors:
        message, count = errors.most_common(1)[0]
        print("top error: %s (%d)" % (message, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
