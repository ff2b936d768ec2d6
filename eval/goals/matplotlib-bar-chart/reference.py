"""Draw a bar chart PNG from a label,count CSV."""
import argparse
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def parse_args(argv):
    """Parse the CSV, the PNG path and --title."""
    parser = argparse.ArgumentParser(description="Bar chart from a CSV.")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--title", default="Counts")
    return parser.parse_args(argv)


def read_counts(path):
    """Return (labels, counts) from the CSV."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["label"] for row in rows], [float(row["count"]) for row in rows]


def main(argv=None):
    """Draw and save the chart."""
    args = parse_args(argv)
    labels, counts = read_counts(args.input)
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.bar(labels, counts)
    axes.set_title(args.title)
    figure.tight_layout()
    figure.savefig(args.output)
    print("saved %s" % args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
