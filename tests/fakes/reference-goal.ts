/**
 * The reference goal and good model answers for it: a real, working CSV-dedupe script split into
 * the sections ff2 generates (imports, six functions, main). Used by the scripted model, the
 * end-to-end journeys and the pipeline benchmark.
 */
import type { Outline } from '../../src/pipeline/types.js';

export const REFERENCE_GOAL =
  'a command-line tool that removes duplicate rows from a CSV file, with options for the key columns, keeping the first or last duplicate, and writing a report of what was removed';

export const REFERENCE_CSV = 'id,name,city\n1,Ada,London\n2,Bob,Paris\n1,Ada,Leeds\n3,Cy,Rome\n';

export const REFERENCE_OUTLINE: Outline = {
  spec: 'A command-line tool: read a CSV file, drop rows whose key columns repeat (keeping the first or the last of each group), write the remaining rows to a file or stdout, and optionally write a plain-text report listing every removed row with its line number.',
  imports: ['argparse', 'csv', 'sys'],
  globals: [{ name: 'KEEP_CHOICES', purpose: 'the allowed values of --keep' }],
  functions: [
    {
      name: 'parse_args',
      params: 'argv',
      returns: 'argparse.Namespace',
      purpose: 'parse input, --key (repeatable), --keep, --output and --report',
      calls: [],
    },
    {
      name: 'read_rows',
      params: 'path',
      returns: 'tuple[list[str], list[list[str]]]',
      purpose: 'read the header and the rows of a CSV file',
      calls: [],
    },
    {
      name: 'key_indexes',
      params: 'header, columns',
      returns: 'list[int]',
      purpose: 'map key column names to indexes (all columns when none are given)',
      calls: [],
    },
    {
      name: 'find_duplicates',
      params: 'rows, indexes, keep',
      returns: 'tuple[list, list]',
      purpose: 'split rows into kept rows and removed (line number, row) pairs',
      calls: [],
    },
    {
      name: 'write_rows',
      params: 'path, header, rows',
      returns: 'None',
      purpose: 'write the header and rows as CSV to a file, or stdout when path is None',
      calls: [],
    },
    {
      name: 'write_report',
      params: 'path, removed',
      returns: 'None',
      purpose: 'write a plain-text report of the removed rows',
      calls: [],
    },
  ],
  classes: [],
  mainFlow: [
    'parse the arguments',
    'read the rows',
    'resolve the key columns',
    'find the duplicates',
    'write the kept rows',
    'write the report when asked',
    'print a one-line summary and return 0',
  ],
  runMode: 'cli',
  inputs: { argv: true, stdin: false, files: true },
  smokeChecks: [
    {
      description: 'dedupe on id, keep first, with a report',
      args: ['data.csv', '--key', 'id', '--output', 'out.csv', '--report', 'report.txt'],
      stdin: '',
      files: [{ name: 'data.csv', content: REFERENCE_CSV }],
      expectExit: 0,
      expectOutput: ['removed 1'],
    },
  ],
};

export const REFERENCE_SECTIONS: Readonly<Record<string, string>> = {
  imports: `"""Remove duplicate rows from a CSV file and report what was removed."""
import argparse
import csv
import sys

KEEP_CHOICES = ("first", "last")`,
  parse_args: `def parse_args(argv):
    """Parse the command-line options."""
    parser = argparse.ArgumentParser(description="Remove duplicate rows from a CSV file.")
    parser.add_argument("input", help="CSV file to read")
    parser.add_argument("-k", "--key", action="append", default=[], help="key column (repeatable)")
    parser.add_argument("--keep", choices=KEEP_CHOICES, default="first", help="which duplicate to keep")
    parser.add_argument("-o", "--output", default=None, help="output CSV (default: stdout)")
    parser.add_argument("-r", "--report", default=None, help="report of removed rows")
    return parser.parse_args(argv)`,
  read_rows: `def read_rows(path):
    """Read a CSV file; return its header and its rows."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        rows = [row for row in reader]
    return header, rows`,
  key_indexes: `def key_indexes(header, columns):
    """Map key column names to indexes; every column when none are given."""
    if not columns:
        return list(range(len(header)))
    missing = [name for name in columns if name not in header]
    if missing:
        raise SystemExit("unknown key column(s): " + ", ".join(missing))
    return [header.index(name) for name in columns]`,
  find_duplicates: `def find_duplicates(rows, indexes, keep):
    """Split rows into kept rows and removed (line number, row) pairs."""
    chosen = {}
    for number, row in enumerate(rows, start=2):
        key = tuple(row[i] if i < len(row) else "" for i in indexes)
        if key not in chosen or keep == "last":
            chosen[key] = number
    keep_numbers = set(chosen.values())
    kept = []
    removed = []
    for number, row in enumerate(rows, start=2):
        if number in keep_numbers:
            kept.append(row)
        else:
            removed.append((number, row))
    return kept, removed`,
  write_rows: `def write_rows(path, header, rows):
    """Write the header and rows as CSV to path, or to stdout when path is None."""
    if path is None:
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(rows)
        return
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)`,
  write_report: `def write_report(path, removed):
    """Write a plain-text report of the removed rows."""
    lines = ["Removed %d duplicate row(s)" % len(removed)]
    for number, row in removed:
        lines.append("line %d: %s" % (number, ", ".join(row)))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\\n".join(lines) + "\\n")`,
  main: `def main(argv=None):
    """Deduplicate the CSV file named on the command line."""
    args = parse_args(argv)
    header, rows = read_rows(args.input)
    indexes = key_indexes(header, args.key)
    kept, removed = find_duplicates(rows, indexes, args.keep)
    write_rows(args.output, header, kept)
    if args.report:
        write_report(args.report, removed)
    out = sys.stderr if args.output is None else sys.stdout
    print("kept %d row(s), removed %d duplicate(s)" % (len(kept), len(removed)), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())`,
};

/** find_duplicates with a bug the sandbox run exposes (AttributeError), for the repair journey. */
export const BROKEN_FIND_DUPLICATES = REFERENCE_SECTIONS.find_duplicates!.replace(
  'keep_numbers = set(chosen.values())',
  'keep_numbers = set(chosen.value())',
);
