/**
 * Read-only counts for an operator (GET /metrics) and retention (`ff2 prune`). Retention deletes
 * only what has aged out: ended sessions' blobs and events, delivered outbox rows, old dedupe rows.
 * Session rows, script versions (the final script), runs, usage and the session state (its summary
 * note) stay.
 */
import type Database from 'better-sqlite3';
import type { OutboxBacklog, PruneCounts } from './types.js';

const ENDED = `status IN ('done', 'cancelled', 'failed')`;

export class OpsQueries {
  readonly #db: Database.Database;
  readonly #sessionCounts: Database.Statement;
  readonly #backlog: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#sessionCounts = db.prepare(
      'SELECT stage, status, COUNT(*) AS n FROM sessions GROUP BY stage, status',
    );
    this.#backlog = db.prepare(`SELECT
        coalesce(SUM(status = 'pending'), 0) AS pending,
        coalesce(SUM(status = 'sending'), 0) AS sending,
        coalesce(SUM(status = 'failed'), 0) AS failed,
        coalesce(SUM(CASE WHEN status IN ('pending', 'sending') AND attempts > 1 THEN 1 ELSE 0 END), 0) AS retrying,
        coalesce(SUM(CASE WHEN attempts > 1 THEN attempts - 1 ELSE 0 END), 0) AS retries
      FROM outbox`);
  }

  sessionCounts(): { stage: string; status: string; count: number }[] {
    return (this.#sessionCounts.all() as { stage: string; status: string; n: number }[]).map((r) => ({
      stage: r.stage,
      status: r.status,
      count: r.n,
    }));
  }

  outboxBacklog(): OutboxBacklog {
    return this.#backlog.get() as OutboxBacklog;
  }

  /** Deletes (or with `dryRun` only counts) what is older than `cutoff` (epoch ms), in one transaction. */
  prune(cutoff: number, dryRun: boolean): PruneCounts {
    const endedBefore = `session_id IN (SELECT id FROM sessions WHERE ${ENDED} AND updated_at < @cutoff)`;
    const targets = {
      blobs: `FROM blobs WHERE ${endedBefore}`,
      outbox: `FROM outbox WHERE status = 'sent' AND coalesce(sent_at, created_at) < @cutoff`,
      inbound: 'FROM inbound_events WHERE received_at < @cutoff',
      events: `FROM events WHERE created_at < @cutoff AND ${endedBefore}`,
    } as const;
    const run = () => {
      const counts = {} as PruneCounts;
      for (const [name, from] of Object.entries(targets) as [keyof PruneCounts, string][]) {
        const sql = dryRun ? `SELECT COUNT(*) AS n ${from}` : `DELETE ${from}`;
        counts[name] = dryRun
          ? (this.#db.prepare(sql).get({ cutoff }) as { n: number }).n
          : this.#db.prepare(sql).run({ cutoff }).changes;
      }
      return counts;
    };
    if (dryRun) return run();
    return this.#db
      .transaction(() => {
        // Events are append-only except below this gate (see the events_append_only_delete trigger).
        this.#db.prepare('INSERT INTO prune_gate (until) VALUES (?)').run(cutoff);
        try {
          return run();
        } finally {
          this.#db.prepare('DELETE FROM prune_gate').run();
        }
      })
      .immediate();
  }
}
