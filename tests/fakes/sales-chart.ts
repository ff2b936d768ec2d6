/**
 * The plotting reference journey: "plot a bar chart of total sales per region from sales.csv",
 * with good model answers (a real pandas + matplotlib script split into ff2's sections) and a
 * responder the scripted model and the OpenAI stand-in can serve. `imports` swaps the outline's
 * imports (e.g. polars, to exercise the missing-package choices).
 */
import type { Outline } from '../../src/pipeline/types.js';
import { passingReview, type ScriptedCall, type ScriptResponder } from './scripted-llm.js';

export const SALES_GOAL = 'plot a bar chart of total sales per region from sales.csv';

export const SALES_CSV =
  'region,month,sales\nNorth,Jan,120\nSouth,Jan,80\nNorth,Feb,180\nEast,Feb,95\nSouth,Mar,40\n';

export const SALES_OUTLINE: Outline = {
  spec: 'Read sales.csv (columns region, month, sales), add up the sales of each region, print the totals largest first, and save a bar chart of them as chart.png.',
  imports: ['sys', 'matplotlib.pyplot as plt', 'pandas as pd'],
  globals: [
    { name: 'DEFAULT_INPUT', purpose: 'the CSV read when no path is given' },
    { name: 'CHART_FILE', purpose: 'where the chart is saved' },
  ],
  functions: [
    {
      name: 'load_sales',
      params: 'path',
      returns: 'pandas.DataFrame',
      purpose: 'read the sales CSV',
      calls: [],
    },
    {
      name: 'total_by_region',
      params: 'frame',
      returns: 'pandas.Series',
      purpose: 'sum the sales of each region, largest first',
      calls: [],
    },
    {
      name: 'plot_totals',
      params: 'totals, path',
      returns: 'None',
      purpose: 'draw the totals as a bar chart and save it as a PNG',
      calls: [],
    },
  ],
  classes: [],
  mainFlow: ['read the CSV', 'total the sales per region', 'print the totals', 'save the chart'],
  runMode: 'cli',
  inputs: { argv: true, stdin: false, files: true },
  smokeChecks: [
    {
      description: 'totals and chart from a small sales.csv',
      args: [],
      stdin: '',
      files: [{ name: 'sales.csv', content: SALES_CSV }],
      expectExit: 0,
      expectOutput: ['North: 300', 'saved chart.png'],
    },
  ],
};

export const SALES_SECTIONS: Readonly<Record<string, string>> = {
  imports: `"""Plot a bar chart of total sales per region from a CSV file."""
import sys

import matplotlib.pyplot as plt
import pandas as pd

DEFAULT_INPUT = "sales.csv"
CHART_FILE = "chart.png"`,
  load_sales: `def load_sales(path):
    """Read the sales CSV into a DataFrame."""
    return pd.read_csv(path)`,
  total_by_region: `def total_by_region(frame):
    """Sum the sales of each region, largest first."""
    return frame.groupby("region")["sales"].sum().sort_values(ascending=False)`,
  plot_totals: `def plot_totals(totals, path):
    """Draw the totals as a bar chart and save it as a PNG."""
    fig, ax = plt.subplots(figsize=(6, 4))
    totals.plot.bar(ax=ax, color="steelblue")
    ax.set_title("Total sales per region")
    ax.set_xlabel("Region")
    ax.set_ylabel("Sales")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)`,
  main: `def main(argv=None):
    """Total the sales per region, print them and save the chart."""
    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else DEFAULT_INPUT
    totals = total_by_region(load_sales(path))
    for region, value in totals.items():
        print(f"{region}: {value:g}")
    plot_totals(totals, CHART_FILE)
    print(f"saved {CHART_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())`,
};

export interface SalesOptions {
  /** The first outline's imports (default: SALES_OUTLINE's). */
  imports?: string[];
  /** The revised outline for an edit request (default: SALES_OUTLINE). */
  revise?: (call: ScriptedCall) => Outline;
  /** Per-section code overrides. */
  section?: (name: string, call: ScriptedCall) => string | undefined;
}

export function salesChartScript(options: SalesOptions = {}): ScriptResponder {
  return (call) => {
    switch (call.task) {
      case 'interview':
        return { questions: [] };
      case 'outline':
        return options.imports ? { ...SALES_OUTLINE, imports: options.imports } : SALES_OUTLINE;
      case 'revise_outline':
        return options.revise?.(call) ?? SALES_OUTLINE;
      case 'generate':
      case 'qa_fix':
      case 'review_fix':
      case 'repair': {
        const name = call.section ?? 'main';
        const code = options.section?.(name, call) ?? SALES_SECTIONS[name];
        if (code === undefined) return { code: `def ${name}(*args):\n    """Added."""\n    return None` };
        return call.task === 'repair' && !call.section ? { target: 'main', code, reason: 'fixed' } : { code };
      }
      case 'review':
        return passingReview(SALES_SECTIONS);
      default:
        return { raw: `no scripted answer for task ${call.task}` };
    }
  };
}

/** PNG files start with these 8 bytes. */
export const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array | Buffer): boolean {
  return PNG_MAGIC.every((b, i) => bytes[i] === b);
}
