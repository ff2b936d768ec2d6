"""Log/text summariser: counts lines per level and the most frequent messages in log files."""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

LEVEL_RE = re.compile(r"\b(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\b")
TOP_N = 5


def parse_args(argv):
    """Reads the log files to summarise (stdin when none) and how many top messages to show."""
    parser = argparse.ArgumentParser(description="Summarise log files: levels and frequent messages.")
    parser.add_argument("files", nargs="*", type=Path, help="log files (default: read stdin)")
    parser.add_argument("--top", type=int, default=TOP_N, help="how many frequent messages to show")
    return parser.parse_args(argv)


def read_lines(paths):
    """Every line of the given files, or of stdin when there are none."""
    if not paths:
        return sys.stdin.read().splitlines()
    lines = []
    for path in paths:
        lines.extend(path.read_text(encoding="utf-8", errors="replace").splitlines())
    return lines


def summarise(lines):
    """Counts of lines per level and of messages (the text after the level)."""
    levels = Counter()
    messages = Counter()
    for line in lines:
        match = LEVEL_RE.search(line)
        if not match:
            continue
        level = "WARNING" if match.group(1) == "WARN" else match.group(1)
        levels[level] += 1
        messages[line[match.end():].strip(" :-")] += 1
    return levels, messages


def report(levels, messages, top, total):
    """The summary as printable text."""
    out = [f"{total} lines"]
    for level, count in sorted(levels.items()):
        out.append(f"{level}: {count}")
    out.append(f"Top {top} messages:")
    for message, count in messages.most_common(top):
        out.append(f"{count:>5}  {message}")
    return "\n".join(out)


def main(argv=None):
    args = parse_args(argv)
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        print(f"error: not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    lines = read_lines(args.files)
    levels, messages = summarise(lines)
    print(report(levels, messages, args.top, len(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
