/**
 * PostgreSQL migrations, versioned like the SQLite ones (store/schema.ts): migration i brings the
 * schema from version i to i + 1; append new ones, never edit a shipped one. The level is the
 * highest version in `ff2_migrations`. Every migration runs in its own transaction under a
 * transaction-scoped advisory lock, so workers starting together migrate once, one after another.
 * Times are epoch ms (bigint); JSON columns are text (mapped by store/rows.ts, as with SQLite).
 */
import type pg from 'pg';
import type { MigrationPlan } from '../records.js';

export interface Migration {
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    name: 'sessions, steps, outbox, dedupe, blobs, usage, reviews, leases',
    sql: `
  CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    thread_key  TEXT NOT NULL UNIQUE,
    platform    TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    goal        TEXT NOT NULL,
    stage       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('working','waiting','done','cancelled','failed')),
    version     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
  );
  CREATE INDEX sessions_status ON sessions (status, updated_at);
  CREATE INDEX sessions_owner ON sessions (owner_id, updated_at);

  CREATE TABLE script_versions (
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    code        TEXT NOT NULL,
    diff        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (session_id, number)
  );

  CREATE TABLE runs (
    id          BIGSERIAL PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    exit_code   INTEGER,
    duration_ms BIGINT NOT NULL,
    result      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
  );
  CREATE INDEX runs_session ON runs (session_id, id);

  CREATE TABLE events (
    id          BIGSERIAL PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    actor       TEXT,
    data        TEXT,
    created_at  BIGINT NOT NULL
  );
  CREATE INDEX events_session ON events (session_id, id);
  CREATE TABLE prune_gate (until BIGINT NOT NULL);
  -- Events are append-only; retention may delete those older than the gate it sets while pruning.
  CREATE FUNCTION ff2_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' AND (NOT EXISTS (SELECT 1 FROM sessions WHERE id = OLD.session_id)
        OR OLD.created_at < coalesce((SELECT MAX(until) FROM prune_gate), 0)) THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'events are append-only';
  END $$;
  CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ff2_events_append_only();

  CREATE TABLE llm_calls (
    id                BIGSERIAL PRIMARY KEY,
    session_id        TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    stage             TEXT NOT NULL,
    call_key          TEXT,
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_ms        INTEGER NOT NULL,
    cost_usd          DOUBLE PRECISION NOT NULL,
    outcome           TEXT NOT NULL,
    response          TEXT,
    created_at        BIGINT NOT NULL
  );
  CREATE INDEX llm_calls_session ON llm_calls (session_id, call_key);

  CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    session_id  TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    thread_key  TEXT NOT NULL,
    key         TEXT,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  BIGINT NOT NULL DEFAULT 0,
    message_ref TEXT,
    error       TEXT,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT,
    maybe_sent  INTEGER NOT NULL DEFAULT 0,
    urgency     INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX outbox_open ON outbox (status, thread_key, id) WHERE status IN ('pending','sending');
  CREATE INDEX outbox_key ON outbox (thread_key, key) WHERE key IS NOT NULL;

  CREATE TABLE inbound_events (
    id          TEXT PRIMARY KEY,
    platform    TEXT NOT NULL,
    received_at BIGINT NOT NULL
  );

  CREATE TABLE reviews (
    id          BIGSERIAL PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    reviewer    TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('approved','changes_requested')),
    comment     TEXT,
    created_at  BIGINT NOT NULL
  );
  CREATE INDEX reviews_session ON reviews (session_id, id);

  CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
  );

  CREATE TABLE blobs (
    id          BIGSERIAL PRIMARY KEY,
    session_id  TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    bytes       BYTEA NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('attachment', 'outbox')),
    created_at  BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX blobs_session_hash ON blobs (coalesce(session_id, ''), hash);
  `,
  },
  {
    name: 'many workers: per-session leases and the worker registry',
    sql: `
  CREATE FUNCTION ff2_now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS
    $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;
  CREATE TABLE session_leases (
    session_id  TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
  );
  CREATE INDEX session_leases_holder ON session_leases (holder);
  CREATE TABLE workers (
    id          TEXT PRIMARY KEY,
    info        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    seen_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
  );
  `,
  },
  {
    name: 'many workers: outbox rows remember which worker claimed them',
    sql: `ALTER TABLE outbox ADD COLUMN claimed_by TEXT;`,
  },
  {
    name: 'sandbox runners and their run jobs',
    sql: `
  CREATE TABLE runners (
    id          TEXT PRIMARY KEY,
    env         TEXT NOT NULL,
    slots       INTEGER NOT NULL,
    info        TEXT NOT NULL,
    seen_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
  );
  CREATE TABLE run_jobs (
    id          BIGSERIAL PRIMARY KEY,
    env         TEXT NOT NULL,
    request     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued','running','done','failed')),
    runner      TEXT,
    tried_by    TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    result      TEXT,
    error       TEXT,
    created_at  BIGINT NOT NULL,
    started_at  BIGINT,
    finished_at BIGINT,
    expires_at  BIGINT
  );
  CREATE INDEX run_jobs_queue ON run_jobs (env, id) WHERE status = 'queued';
  CREATE INDEX run_jobs_running ON run_jobs (runner) WHERE status = 'running';
  `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** One advisory lock id for "ff2 migrates this database" (any constant; shared by every ff2). */
const MIGRATE_LOCK = 0x0ff2_0001;

/** The database's migration level (0 for an empty database). */
export async function migrationLevel(client: pg.ClientBase): Promise<number> {
  const exists = await client.query(`SELECT to_regclass('ff2_migrations') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return 0;
  const r = await client.query('SELECT coalesce(MAX(version), 0) AS v FROM ff2_migrations');
  return Number(r.rows[0].v);
}

/** What `migrate` would do. @throws Error when the database is newer than this ff2. */
export async function migrationPlan(client: pg.ClientBase): Promise<MigrationPlan> {
  return planFrom(await migrationLevel(client));
}

function planFrom(current: number): MigrationPlan {
  if (current > PG_SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this ff2 (${PG_SCHEMA_VERSION}); upgrade ff2 or use another FF2_DATABASE_URL`,
    );
  }
  const pending = PG_MIGRATIONS.slice(current).map((m, i) => ({ version: current + i + 1, name: m.name }));
  return { current, target: PG_SCHEMA_VERSION, pending };
}

/** Brings the database to PG_SCHEMA_VERSION; returns the plan it carried out. */
export async function migratePg(client: pg.ClientBase, now: number): Promise<MigrationPlan> {
  const plan = await migrationPlan(client);
  for (const step of plan.pending) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS ff2_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      // Another worker may have applied it while this one waited for the lock.
      if ((await migrationLevel(client)) < step.version) {
        await client.query(PG_MIGRATIONS[step.version - 1]!.sql);
        await client.query('INSERT INTO ff2_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          step.version,
          step.name,
          now,
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
  return plan;
}
