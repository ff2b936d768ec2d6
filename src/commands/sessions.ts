import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { createStore } from '../store/open.js';
import type { SessionRow, SessionStore } from '../store/types.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

/** One line of `ff2 sessions`. */
export interface SessionSummary {
  id: string;
  platform: string;
  owner: string;
  goal: string;
  stage: string;
  status: string;
  /** ISO 8601. */
  updated: string;
  versions: number;
  runs: number;
  costUsd: number;
  tokens: number;
}

/**
 * Opens the configured database for reading, or undefined when it does not exist yet (so a
 * read-only command never creates one). Works alongside a serving process (WAL).
 */
export function openExistingStore(config: Readonly<Config>): SessionStore | undefined {
  return config.databaseUrl || existsSync(config.dbPath) ? createStore(config) : undefined;
}

export function summarise(store: SessionStore, row: SessionRow): SessionSummary {
  const usage = store.usageTotals(row.id);
  return {
    id: row.id,
    platform: row.platform,
    owner: row.ownerId,
    goal: row.goal,
    stage: row.stage,
    status: row.status,
    updated: new Date(row.updatedAt).toISOString(),
    versions: store.listScriptVersions(row.id).length,
    runs: store.listRuns(row.id).length,
    costUsd: usage.costUsd,
    tokens: usage.promptTokens + usage.completionTokens,
  };
}

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'list sessions from every platform, newest first',
  usage: `Usage: ff2 sessions [--json] [--limit N] [--owner ID]

Lists sessions (id, platform, owner, goal, stage, updated, versions, runs, cost), newest first.
Reads the database only; safe while "ff2 serve" or "ff2 chat" is running.

  --json      print { "sessions": [ { id, platform, owner, goal, stage, status, updated,
              versions, runs, costUsd, tokens } ] }
  --limit N   at most N sessions (default 50)
  --owner ID  only sessions owned by ID (qualified, e.g. terminal:alice or slack:U123)`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: { json: { type: 'boolean' }, limit: { type: 'string' }, owner: { type: 'string' } },
      strict: true,
    });
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a whole number ≥ 1');

    const store = openExistingStore(loadConfig(io.env, io.cwd, { platforms: false }));
    let sessions: SessionSummary[] = [];
    try {
      const rows = store?.listSessions({ limit, ...(values.owner ? { ownerId: values.owner } : {}) }) ?? [];
      sessions = store ? rows.map((row) => summarise(store, row)) : [];
    } finally {
      store?.close();
    }
    if (values.json) {
      io.out(`${JSON.stringify({ sessions })}\n`);
      return 0;
    }
    if (sessions.length === 0) {
      io.out('No sessions yet. Start one with: ff2 chat "<goal>"\n');
      return 0;
    }
    io.out(formatTable(sessions));
    return 0;
  },
};

function formatTable(sessions: SessionSummary[]): string {
  const rows = sessions.map((s) => [
    s.id,
    s.platform,
    s.owner,
    `${s.stage}${s.status === 'working' || s.status === 'waiting' ? '' : ` (${s.status})`}`,
    s.updated.slice(0, 16).replace('T', ' '),
    String(s.versions),
    String(s.runs),
    s.costUsd > 0 ? `$${s.costUsd.toFixed(4)}` : '-',
    oneLine(s.goal, 50),
  ]);
  const head = ['ID', 'PLATFORM', 'OWNER', 'STAGE', 'UPDATED', 'VERS', 'RUNS', 'COST', 'GOAL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

/** First line of `text`, cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const first = text.replace(/\s+/g, ' ').trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
