"""Print the primes up to N with a sieve."""
import sys


def primes_upto(limit):
    """Return the primes <= limit."""
    if limit < 2:
        return []
    sieve = bytearray([1]) * (limit + 1)
    sieve[0] = sieve[1] = 0
    for number in range(2, int(limit ** 0.5) + 1):
        if sieve[number]:
            sieve[number * number :: number] = bytearray(len(range(number * number, limit + 1, number)))
    return [n for n in range(limit + 1) if sieve[n]]


def main(argv=None):
    """Print the primes and their count."""
    args = sys.argv[1:] if argv is None else argv
    primes = primes_upto(int(args[0]))
    print(" ".join(str(p) for p in primes))
    print("count: %d" % len(primes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
