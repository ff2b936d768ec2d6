"""Group the anagrams among words read from stdin."""
import sys


def anagram_groups(words):
    """Return sorted groups (sorted lists) of two or more anagrams."""
    groups = {}
    for word in set(words):
        groups.setdefault("".join(sorted(word)), []).append(word)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def main(argv=None):
    """Print one line per anagram group."""
    words = [line.strip() for line in sys.stdin if line.strip()]
    for group in anagram_groups(words):
        print(" ".join(group))
    return 0


if __name__ == "__main__":
    sys.exit(main())
