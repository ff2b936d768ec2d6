"""Check lines from stdin for balanced brackets."""
import sys

PAIRS = {")": "(", "]": "[", "}": "{"}


def check_line(line):
    """Return 0 when balanced, else the 1-based column of the problem."""
    stack = []
    for column, char in enumerate(line, start=1):
        if char in "([{":
            stack.append(char)
        elif char in PAIRS:
            if not stack or stack.pop() != PAIRS[char]:
                return column
    return len(line) + 1 if stack else 0


def main(argv=None):
    """Print a verdict per line; exit 1 if any failed."""
    status = 0
    for raw in sys.stdin:
        column = check_line(raw.rstrip("\n"))
        if column:
            print("error at column %d" % column)
            status = 1
        else:
            print("ok")
    return status


if __name__ == "__main__":
    sys.exit(main())
