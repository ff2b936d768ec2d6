import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { MigrationPlan } from './records.js';

/**
 * Migrations keyed by `PRAGMA user_version`: migration i brings the schema from version i to
 * i + 1. Append new migrations; never edit a shipped one.
 */
const MIGRATIONS: readonly string[] = [
  `
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
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE INDEX sessions_status ON sessions (status, updated_at);
  CREATE INDEX sessions_owner ON sessions (owner_id, updated_at);

  CREATE TABLE script_versions (
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    code        TEXT NOT NULL,
    diff        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, number)
  );

  CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    exit_code   INTEGER,
    duration_ms INTEGER NOT NULL,
    result      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX runs_session ON runs (session_id, id);

  CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    actor       TEXT,
    data        TEXT,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX events_session ON events (session_id, id);
  CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    WHEN (SELECT COUNT(*) FROM sessions WHERE id = OLD.session_id) > 0
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  CREATE TABLE llm_calls (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id        TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    stage             TEXT NOT NULL,
    call_key          TEXT,
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_ms        INTEGER NOT NULL,
    cost_usd          REAL NOT NULL,
    outcome           TEXT NOT NULL,
    response          TEXT,
    created_at        INTEGER NOT NULL
  );
  CREATE INDEX llm_calls_session ON llm_calls (session_id, call_key);

  CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    thread_key  TEXT NOT NULL,
    key         TEXT,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  INTEGER NOT NULL DEFAULT 0,
    message_ref TEXT,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
  );
  CREATE INDEX outbox_open ON outbox (status, thread_key, id) WHERE status IN ('pending','sending');
  CREATE INDEX outbox_key ON outbox (thread_key, key) WHERE key IS NOT NULL;

  CREATE TABLE inbound_events (
    id          TEXT PRIMARY KEY,
    platform    TEXT NOT NULL,
    received_at INTEGER NOT NULL
  );

  CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    reviewer    TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('approved','changes_requested')),
    comment     TEXT,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX reviews_session ON reviews (session_id, id);

  CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
  );
  `,
  // ff2 eval (issue 19): one row per eval run, one per goal attempt. Self-contained: no other
  // table refers to these, and results keep the session id without a foreign key (sessions
  // may be deleted while the eval's figures stay).
  `
  CREATE TABLE eval_runs (
    id          TEXT PRIMARY KEY,
    model       TEXT NOT NULL,
    options     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running','done','interrupted','budget')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE TABLE eval_results (
    run_id            TEXT NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    goal_id           TEXT NOT NULL,
    attempt           INTEGER NOT NULL,
    category          TEXT NOT NULL,
    session_id        TEXT,
    outcome           TEXT NOT NULL CHECK (outcome IN ('passed','failed','skipped','error')),
    stopped_at        TEXT NOT NULL,
    reason            TEXT NOT NULL,
    calls             INTEGER NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd          REAL NOT NULL,
    wall_ms           INTEGER NOT NULL,
    repairs           INTEGER NOT NULL,
    versions          INTEGER NOT NULL,
    detail            TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    PRIMARY KEY (run_id, goal_id, attempt)
  );
  `,
  // Attachments and outgoing files stored once per session by content hash (state and outbox rows
  // hold blob ids, never bytes); retention may delete events older than a gate it sets while pruning.
  `
  CREATE TABLE blobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('attachment', 'outbox')),
    created_at  INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX blobs_session_hash ON blobs (coalesce(session_id, ''), hash);
  CREATE TABLE prune_gate (until INTEGER NOT NULL);
  DROP TRIGGER events_append_only_delete;
  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    WHEN (SELECT COUNT(*) FROM sessions WHERE id = OLD.session_id) > 0
     AND OLD.created_at >= coalesce((SELECT MAX(until) FROM prune_gate), 0)
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  `,
  // Outbox rows whose last attempt may have reached the platform (a crash while `sending`, or a
  // request that got no answer): the outbox looks for the message on the platform before re-sending.
  // Urgency: 0 answers a person, 1 other messages, 2 background progress (claimed in that order).
  `
  ALTER TABLE outbox ADD COLUMN maybe_sent INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN urgency INTEGER NOT NULL DEFAULT 1;
  UPDATE outbox SET urgency = 2 WHERE key LIKE 'status:%';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** What each migration above does, for `ff2 migrate` (same order). */
const MIGRATION_NAMES: readonly string[] = [
  'sessions, steps, outbox, dedupe, usage, reviews, leases',
  'eval runs and results',
  'blobs and the retention gate',
  'outbox maybe-sent flag and urgency',
];

/** The migrations a database at `current` still needs. @throws Error when it is newer than this ff2. */
export function sqliteMigrationPlan(current: number): MigrationPlan {
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this ff2 (${SCHEMA_VERSION}); upgrade ff2 or use another FF2_DB`,
    );
  }
  const pending = MIGRATION_NAMES.slice(current).map((name, i) => ({ version: current + i + 1, name }));
  return { current, target: SCHEMA_VERSION, pending };
}

/** The level of the SQLite file at `path` (0 when it does not exist yet), read without changing it. */
export function sqliteLevel(path: string): number {
  if (path !== ':memory:' && !existsSync(path)) return 0;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** Brings the database to SCHEMA_VERSION; each migration runs in its own transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  sqliteMigrationPlan(current);
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
