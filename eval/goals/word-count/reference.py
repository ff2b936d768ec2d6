"""Count the lines, words and characters of a text file."""
import sys


def count(text):
    """Return (lines, words, chars) of text."""
    return text.count("\n"), len(text.split()), len(text)


def main(argv=None):
    """Print the counts of the file named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: wc.py FILE", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        print("cannot read %s: %s" % (args[0], error.strerror), file=sys.stderr)
        return 1
    lines, words, chars = count(text)
    print("lines: %d" % lines)
    print("words: %d" % words)
    print("chars: %d" % chars)
    return 0


if __name__ == "__main__":
    sys.exit(main())
