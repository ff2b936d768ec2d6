/**
 * Sandbox runs as jobs in PostgreSQL (`ff2 runner`, `ff2 serve --runs=remote`): a serving worker
 * enqueues a run for a script environment (fingerprint); a runner with that environment claims it
 * (`FOR UPDATE SKIP LOCKED`), renews it while running (heartbeat) and stores the result. A job
 * whose runner stopped renewing (killed, cut off) is retried once on another runner, then failed
 * with the reason. Expiry is judged by the database clock. Requests and results are JSON text
 * (bytes as base64; see runners/wire.ts).
 */
import type pg from 'pg';

/** Tries per job: the first run and one retry on another runner. */
export const MAX_ATTEMPTS = 2;

const SQL = {
  enqueue: `INSERT INTO run_jobs (env, request, status, created_at) VALUES ($1, $2, 'queued', ff2_now_ms())
    RETURNING id`,
  status: 'SELECT status, result, error, attempts, runner FROM run_jobs WHERE id = $1',
  claim: `UPDATE run_jobs SET status = 'running', runner = $1, attempts = attempts + 1,
      started_at = ff2_now_ms(), expires_at = ff2_now_ms() + $3
    WHERE id = (SELECT id FROM run_jobs WHERE status = 'queued' AND env = $2
                  AND (tried_by IS NULL OR tried_by <> $1)
                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, request, attempts`,
  heartbeat: `INSERT INTO runners (id, env, slots, info, seen_at, expires_at)
    VALUES ($1, $2, $3, $4, ff2_now_ms(), ff2_now_ms() + $5)
    ON CONFLICT (id) DO UPDATE SET env = excluded.env, slots = excluded.slots, info = excluded.info,
      seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
  renewJobs: `UPDATE run_jobs SET expires_at = ff2_now_ms() + $2 WHERE runner = $1 AND status = 'running'`,
  finish: `UPDATE run_jobs SET status = 'done', result = $3, finished_at = ff2_now_ms()
    WHERE id = $2 AND runner = $1 AND status = 'running'`,
  fail: `UPDATE run_jobs SET status = 'failed', error = $3, finished_at = ff2_now_ms()
    WHERE id = $2 AND runner = $1 AND status = 'running'`,
  retry: `UPDATE run_jobs SET status = 'queued', tried_by = runner, runner = NULL,
      error = 'runner ' || runner || ' stopped during the run; retrying on another runner'
    WHERE status = 'running' AND expires_at <= ff2_now_ms() AND attempts < $1`,
  giveUp: `UPDATE run_jobs SET status = 'failed', finished_at = ff2_now_ms(),
      error = 'runner ' || runner || ' stopped during the run, after ' || coalesce(tried_by, 'another runner')
        || ' did on the first try; not retried again'
    WHERE status = 'running' AND expires_at <= ff2_now_ms() AND attempts >= $1`,
  live: `SELECT id, env, slots, info, seen_at FROM runners WHERE expires_at > ff2_now_ms()
    AND ($1::text IS NULL OR env = $1) ORDER BY id COLLATE "C"`,
  retire: 'DELETE FROM runners WHERE id = $1',
} as const;

export interface JobStatus {
  status: 'queued' | 'running' | 'done' | 'failed';
  result: string | null;
  error: string | null;
  attempts: number;
  runner: string | null;
}

export interface RunnerRow {
  id: string;
  env: string;
  slots: number;
  info: unknown;
  seenAt: number;
}

/** The job calls, run on the store's worker thread. */
export class JobOps {
  readonly #db: pg.ClientBase;

  constructor(db: pg.ClientBase) {
    this.#db = db;
  }

  async enqueueRun(env: string, request: string): Promise<number> {
    return (await this.#db.query(SQL.enqueue, [env, request])).rows[0].id as number;
  }

  async runStatus(id: number): Promise<JobStatus | undefined> {
    return (await this.#db.query(SQL.status, [id])).rows[0] as JobStatus | undefined;
  }

  /** Requeues (once) or fails the jobs whose runner stopped renewing them; how many changed. */
  async reapRuns(): Promise<number> {
    const retried = (await this.#db.query(SQL.retry, [MAX_ATTEMPTS])).rowCount ?? 0;
    return retried + ((await this.#db.query(SQL.giveUp, [MAX_ATTEMPTS])).rowCount ?? 0);
  }

  async claimRun(runner: string, env: string, ttlMs: number) {
    const row = (await this.#db.query(SQL.claim, [runner, env, ttlMs])).rows[0];
    return row as { id: number; request: string; attempts: number } | undefined;
  }

  /** Registers the runner (slots, environment) and renews its running jobs, for `ttlMs`. */
  async heartbeatRunner(runner: string, env: string, slots: number, info: unknown, ttlMs: number) {
    await this.#db.query(SQL.heartbeat, [runner, env, slots, JSON.stringify(info ?? null), ttlMs]);
    await this.#db.query(SQL.renewJobs, [runner, ttlMs]);
  }

  /** Stores the result; false when the job is no longer this runner's (it was reaped meanwhile). */
  async finishRun(runner: string, id: number, result: string): Promise<boolean> {
    return (await this.#db.query(SQL.finish, [runner, id, result])).rowCount === 1;
  }

  async failRun(runner: string, id: number, error: string): Promise<boolean> {
    return (await this.#db.query(SQL.fail, [runner, id, error])).rowCount === 1;
  }

  async liveRunners(env: string | null): Promise<RunnerRow[]> {
    const r = await this.#db.query(SQL.live, [env]);
    return r.rows.map((x) => ({
      id: x.id,
      env: x.env,
      slots: x.slots,
      info: JSON.parse(x.info),
      seenAt: x.seen_at,
    }));
  }

  async retireRunner(runner: string): Promise<void> {
    await this.#db.query(SQL.retire, [runner]);
  }
}
