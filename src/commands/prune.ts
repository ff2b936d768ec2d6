import { loadAppConfig } from '../main.js';
import { pruneCutoff, pruneOnce } from '../ops/retention.js';
import { parseDryRunJson } from './dry-run-args.js';
import { openExistingStore } from './sessions.js';
import type { Command } from './types.js';

const USAGE = `Usage: ff2 prune [--dry-run] [--json]

Deletes what is older than FF2_RETENTION_DAYS (default 30): files (attachments and posted
files) and events of sessions that ended before then, outbox messages already delivered, and
inbound dedupe rows. Keeps every session, its final script (all script versions), runs, usage
and summary. "ff2 serve" runs the same pruning once a day. Safe while ff2 serve is running.

  --dry-run   only count what would be deleted
  --json      print { "dryRun", "cutoff", "deleted": { blobs, outbox, inbound, events } }`;

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'delete old files, delivered messages, dedupe rows and events (FF2_RETENTION_DAYS)',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseDryRunJson(args);
    const values = { 'dry-run': parsed.dryRun, json: parsed.json };
    const config = loadAppConfig(io, { platforms: false });
    const store = openExistingStore(config);
    const dryRun = values['dry-run'] ?? false;
    const now = Date.now();
    const cutoff = new Date(pruneCutoff(now, config.retentionDays)).toISOString();
    if (!store) {
      io.out(
        values.json
          ? `${JSON.stringify({ dryRun, cutoff, deleted: null })}\n`
          : 'No database yet; nothing to prune.\n',
      );
      return 0;
    }
    try {
      const counts = pruneOnce(store, now, config.retentionDays, dryRun);
      if (values.json) io.out(`${JSON.stringify({ dryRun, cutoff, deleted: counts })}\n`);
      else
        io.out(
          `${dryRun ? 'Would delete' : 'Deleted'} (older than ${config.retentionDays} days, before ${cutoff}): ` +
            `${counts.blobs} files, ${counts.events} events of ended sessions, ${counts.outbox} delivered messages, ` +
            `${counts.inbound} dedupe rows. Sessions, final scripts and summaries are kept.\n`,
        );
      return 0;
    } finally {
      store.close();
    }
  },
};
