"""Convert between Roman numerals and integers."""
import sys

NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]


def to_roman(number):
    """Return the Roman numeral of 1 <= number <= 3999."""
    if not 1 <= number <= 3999:
        raise ValueError("out of range")
    parts = []
    for value, letters in NUMERALS:
        while number >= value:
            parts.append(letters)
            number -= value
    return "".join(parts)


def from_roman(text):
    """Return the integer of a canonical Roman numeral."""
    text = text.upper()
    total = 0
    index = 0
    for value, letters in NUMERALS:
        while text.startswith(letters, index):
            total += value
            index += len(letters)
    if index != len(text) or total == 0 or to_roman(total) != text:
        raise ValueError("not a valid numeral")
    return total


def main(argv=None):
    """Convert the argument either way."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: roman.py NUMBER|NUMERAL", file=sys.stderr)
        return 2
    try:
        value = args[0]
        print(to_roman(int(value)) if value.isdigit() else from_roman(value))
    except ValueError as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
