"""Chart from data: reads a CSV file and draws one column against another as a PNG chart (matplotlib)."""

import argparse
import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CHART_NAME = "chart.png"


def parse_args(argv):
    """Reads the CSV file, the label and value columns, the chart kind and the output PNG path."""
    parser = argparse.ArgumentParser(description="Draw a chart from a CSV file.")
    parser.add_argument("input", type=Path, help="the CSV file")
    parser.add_argument("--x", required=True, help="column with the labels")
    parser.add_argument("--y", required=True, help="column with the numbers")
    parser.add_argument("--kind", choices=["bar", "line"], default="bar", help="chart kind")
    parser.add_argument("--output", type=Path, default=Path(CHART_NAME), help="where to save the PNG")
    return parser.parse_args(argv)


def load_series(path, x, y):
    """The labels and numbers of two columns; rows whose number does not parse are skipped."""
    labels, values = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            try:
                values.append(float(row[y]))
            except (KeyError, TypeError, ValueError):
                continue
            labels.append(row.get(x, ""))
    return labels, values


def draw_chart(labels, values, kind, title, path):
    """Draws the chart and saves it as PNG."""
    figure, axes = plt.subplots(figsize=(8, 4.5))
    if kind == "line":
        axes.plot(labels, values, marker="o")
    else:
        axes.bar(labels, values)
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None):
    args = parse_args(argv)
    if not args.input.is_file():
        print(f"error: {args.input} not found", file=sys.stderr)
        return 2
    labels, values = load_series(args.input, args.x, args.y)
    if not values:
        print(f"error: no numbers in column {args.y}", file=sys.stderr)
        return 2
    draw_chart(labels, values, args.kind, f"{args.y} by {args.x}", args.output)
    print(f"saved {args.output} ({len(values)} points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
