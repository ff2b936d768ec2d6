"""Print the most common words read from stdin."""
import argparse
import re
import sys
from collections import Counter

WORD = re.compile(r"[a-z0-9']+")


def parse_args(argv):
    """Parse --top."""
    parser = argparse.ArgumentParser(description="Most common words on stdin.")
    parser.add_argument("--top", type=int, default=3, help="how many words to show")
    return parser.parse_args(argv)


def top_words(text, n):
    """Return the n most common (word, count) pairs, ties alphabetical."""
    counts = Counter(WORD.findall(text.lower()))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:n]


def main(argv=None):
    """Read stdin and print the top words."""
    args = parse_args(argv)
    for word, count in top_words(sys.stdin.read(), args.top):
        print("%s %d" % (word, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
