"""Mean and max per sensor, with pandas."""
import argparse
import sys

import pandas as pd


def parse_args(argv):
    """Parse the input CSV and --output."""
    parser = argparse.ArgumentParser(description="Summarise readings per sensor.")
    parser.add_argument("input")
    parser.add_argument("--output", required=True)
    return parser.parse_args(argv)


def summarise(frame):
    """Return mean and max of value per sensor, rounded, sorted by sensor."""
    summary = frame.groupby("sensor")["value"].agg(["mean", "max"]).round(2)
    return summary.sort_index().reset_index()


def main(argv=None):
    """Read, summarise and write."""
    args = parse_args(argv)
    summary = summarise(pd.read_csv(args.input))
    summary.to_csv(args.output, index=False)
    print("wrote %d sensors" % len(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
