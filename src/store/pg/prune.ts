/**
 * Retention on PostgreSQL, as store/ops.ts does it on SQLite: ended sessions' blobs and events,
 * delivered outbox rows and dedupe rows older than the cutoff. Call inside a transaction; events
 * are append-only except below the gate set here (see the events trigger in schema.ts).
 */
import type pg from 'pg';
import type { PruneCounts } from '../types.js';

const ENDED = `status IN ('done', 'cancelled', 'failed')`;

export async function prune(db: pg.ClientBase, cutoff: number, dryRun: boolean): Promise<PruneCounts> {
  const endedBefore = `session_id IN (SELECT id FROM sessions WHERE ${ENDED} AND updated_at < $1)`;
  const targets = {
    blobs: `FROM blobs WHERE ${endedBefore}`,
    outbox: `FROM outbox WHERE status = 'sent' AND coalesce(sent_at, created_at) < $1`,
    inbound: 'FROM inbound_events WHERE received_at < $1',
    events: `FROM events WHERE created_at < $1 AND ${endedBefore}`,
  } as const;
  if (!dryRun) await db.query('INSERT INTO prune_gate (until) VALUES ($1)', [cutoff]);
  const counts = {} as PruneCounts;
  for (const [name, from] of Object.entries(targets) as [keyof PruneCounts, string][]) {
    if (dryRun) counts[name] = (await db.query(`SELECT COUNT(*) AS n ${from}`, [cutoff])).rows[0].n as number;
    else counts[name] = (await db.query(`DELETE ${from}`, [cutoff])).rowCount ?? 0;
  }
  if (!dryRun) await db.query('DELETE FROM prune_gate');
  return counts;
}
