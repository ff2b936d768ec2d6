/** `ff2 eval compare A B` and `ff2 eval list`: read-only views of stored eval runs. */

import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { openEvalRunStore } from '../store/eval-runs.js';
import { createStore } from '../store/open.js';
import { compareRuns, renderComparison } from './compare.js';
import { formatRate, formatUsd, summarise } from './summary.js';

export async function compareCommand(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const ids = args.filter((a) => a !== '--json');
  if (ids.length !== 2 || ids.some((a) => a.startsWith('-')))
    throw new UsageError('ff2 eval compare needs two run ids: ff2 eval compare <run-a> <run-b>');
  const config = loadConfig(io.env, io.cwd, { platforms: false });
  createStore(config).close();
  const runs = openEvalRunStore(config.dbPath);
  try {
    const [a, b] = ids.map((id) => runs.getRun(id));
    const missing = ids.filter((_, i) => ![a, b][i]);
    if (missing.length > 0 || !a || !b) {
      io.err(`ff2 eval compare: no eval run ${missing.map((m) => `"${m}"`).join(', ')}\n`);
      return 2;
    }
    const comparison = compareRuns(a, runs.listResults(a.id), b, runs.listResults(b.id));
    io.out(json ? `${JSON.stringify(comparison)}\n` : renderComparison(comparison));
    return 0;
  } finally {
    runs.close();
  }
}

export async function listCommand(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  if (args.some((a) => a !== '--json')) throw new UsageError('ff2 eval list takes only --json');
  const config = loadConfig(io.env, io.cwd, { platforms: false });
  createStore(config).close();
  const runs = openEvalRunStore(config.dbPath);
  try {
    const rows = runs.listRuns().map((run) => ({ run, summary: summarise(runs.listResults(run.id)) }));
    if (json) io.out(`${JSON.stringify(rows.map((r) => ({ ...r.run, summary: r.summary })))}\n`);
    else if (rows.length === 0) io.out('No eval runs yet. Start one with: ff2 eval --model <name>\n');
    else
      for (const { run, summary } of rows)
        io.out(
          `${run.id}  ${new Date(run.startedAt).toISOString().slice(0, 16).replace('T', ' ')}  ${run.status.padEnd(11)}  ${formatRate(summary.overall)}  ${formatUsd(summary.totals.costUsd)}  ${run.model}\n`,
        );
    return 0;
  } finally {
    runs.close();
  }
}
