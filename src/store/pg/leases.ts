/**
 * Many `ff2 serve` workers on one PostgreSQL database: per-session leases and the worker registry.
 *
 * A session is driven by at most one worker at a time: the one holding its row in
 * `session_leases` (holder + expiry, renewed while it works). A store opened with a worker id
 * (PgStoreOptions.worker) fences every commit: in the same transaction as the version guard it
 * locks the lease row and requires that this worker holds it unexpired, so a worker that lost its
 * lease (paused past the expiry, cut off from the database) can never commit. A dead worker's
 * `working` sessions are taken over by `claimOrphans` once their leases expire. Expiry is judged
 * by the database's clock (`ff2_now_ms()`), so workers' clocks need not agree.
 */
import type pg from 'pg';
import { LeaseLostError } from '../../errors.js';

export const LEASE_SQL = {
  take: `INSERT INTO session_leases (session_id, holder, expires_at) VALUES ($1, $2, ff2_now_ms() + $3)
    ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE session_leases.holder = excluded.holder OR session_leases.expires_at <= ff2_now_ms()`,
  release: 'DELETE FROM session_leases WHERE session_id = $1 AND holder = $2',
  renewOne: 'UPDATE session_leases SET expires_at = ff2_now_ms() + $3 WHERE session_id = $1 AND holder = $2',
  renew: `UPDATE session_leases SET expires_at = ff2_now_ms() + $2
    WHERE holder = $1 AND expires_at > ff2_now_ms() RETURNING session_id`,
  claimOrphans: `WITH orphan AS (
      SELECT s.id FROM sessions s LEFT JOIN session_leases l ON l.session_id = s.id
      WHERE s.status = 'working' AND (l.session_id IS NULL OR l.expires_at <= ff2_now_ms())
      ORDER BY s.updated_at, s.id COLLATE "C" LIMIT $3
      FOR UPDATE OF s SKIP LOCKED)
    INSERT INTO session_leases (session_id, holder, expires_at) SELECT id, $1, ff2_now_ms() + $2 FROM orphan
    ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE session_leases.expires_at <= ff2_now_ms()
    RETURNING session_id`,
  fence: `SELECT holder, expires_at > ff2_now_ms() AS live FROM session_leases WHERE session_id = $1 FOR UPDATE`,
  registerWorker: `INSERT INTO workers (id, info, started_at, seen_at, expires_at)
    VALUES ($1, $2, ff2_now_ms(), ff2_now_ms(), ff2_now_ms() + $3)
    ON CONFLICT (id) DO UPDATE SET info = excluded.info, seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
  liveWorkers: `SELECT id, info, started_at, seen_at FROM workers WHERE expires_at > ff2_now_ms() ORDER BY id COLLATE "C"`,
  retireWorker: 'DELETE FROM workers WHERE id = $1',
} as const;

/**
 * Inside a step's transaction, the fence: a session nobody holds (no lease row: it was waiting
 * for a person, or new) is taken by `worker` for `ttlMs`; one `worker` holds unexpired is renewed;
 * anything else — another worker's lease, or this worker's own lease that expired (it was paused
 * or cut off, and the resume scan may hand the session to someone else) — throws LeaseLostError.
 * The row stays locked until the commit, so it cannot be taken over meanwhile.
 */
export async function holdLease(
  db: pg.ClientBase,
  sessionId: string,
  worker: string,
  ttlMs: number,
): Promise<void> {
  const row = (await db.query(LEASE_SQL.fence, [sessionId])).rows[0] as
    | { holder: string; live: boolean }
    | undefined;
  if (!row) {
    await db.query(LEASE_SQL.take, [sessionId, worker, ttlMs]);
    return;
  }
  if (row.holder !== worker || !row.live) {
    throw new LeaseLostError(sessionId, worker, row.live ? row.holder : undefined);
  }
  await db.query(LEASE_SQL.renewOne, [sessionId, worker, ttlMs]);
}

/** A live worker as registered (see SessionStore.listWorkers). */
export interface WorkerRow {
  id: string;
  /** What it advertises (JSON). */
  info: unknown;
  startedAt: number;
  seenAt: number;
}

/** The lease calls, run on the store's worker thread for the worker named `worker`. */
export class LeaseOps {
  readonly #db: pg.ClientBase;
  readonly #worker: string;

  constructor(db: pg.ClientBase, worker: string) {
    this.#db = db;
    this.#worker = worker;
  }

  async leaseSession(sessionId: string, ttlMs: number): Promise<boolean> {
    return (await this.#db.query(LEASE_SQL.take, [sessionId, this.#worker, ttlMs])).rowCount === 1;
  }

  async releaseSession(sessionId: string): Promise<void> {
    await this.#db.query(LEASE_SQL.release, [sessionId, this.#worker]);
  }

  async renewSessions(ttlMs: number): Promise<string[]> {
    const r = await this.#db.query(LEASE_SQL.renew, [this.#worker, ttlMs]);
    return r.rows.map((x) => x.session_id as string).sort();
  }

  async claimOrphans(ttlMs: number, limit: number): Promise<string[]> {
    const r = await this.#db.query(LEASE_SQL.claimOrphans, [this.#worker, ttlMs, limit]);
    return r.rows.map((x) => x.session_id as string);
  }

  async registerWorker(info: unknown, ttlMs: number): Promise<void> {
    await this.#db.query(LEASE_SQL.registerWorker, [this.#worker, JSON.stringify(info ?? null), ttlMs]);
  }

  /** Outbox rows left `sending` by workers no longer registered alive, back to pending (maybe sent). */
  async requeueDeadSending(): Promise<number> {
    const r = await this.#db.query(
      `UPDATE outbox SET status = 'pending', maybe_sent = 1 WHERE status = 'sending'
      AND claimed_by IS NOT NULL AND claimed_by <> $1
      AND claimed_by NOT IN (SELECT id FROM workers WHERE expires_at > ff2_now_ms())`,
      [this.#worker],
    );
    return r.rowCount ?? 0;
  }

  async retireWorker(): Promise<void> {
    await this.#db.query(LEASE_SQL.retireWorker, [this.#worker]);
    await this.#db.query('DELETE FROM session_leases WHERE holder = $1', [this.#worker]);
  }

  async listWorkers(): Promise<WorkerRow[]> {
    const r = await this.#db.query(LEASE_SQL.liveWorkers);
    return r.rows.map((x) => ({
      id: x.id,
      info: JSON.parse(x.info),
      startedAt: x.started_at,
      seenAt: x.seen_at,
    }));
  }
}
