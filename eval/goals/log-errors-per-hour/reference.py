"""Count ERROR lines per hour of an ISO-timestamped log."""
import sys
from collections import Counter


def errors_per_hour(lines):
    """Return a Counter of 'YYYY-MM-DD HH:00' -> error lines."""
    hours = Counter()
    for line in lines:
        parts = line.split()
        if len(parts) >= 2 and parts[1] == "ERROR" and "T" in parts[0]:
            day, time = parts[0].split("T", 1)
            hours["%s %s:00" % (day, time[:2])] += 1
    return hours


def main(argv=None):
    """Print errors per hour and the busiest hour."""
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], encoding="utf-8") as handle:
        hours = errors_per_hour(handle)
    for hour in sorted(hours):
        print("%s %d" % (hour, hours[hour]))
    if hours:
        busiest = max(sorted(hours), key=lambda hour: hours[hour])
        print("busiest: %s" % busiest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
