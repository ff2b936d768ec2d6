/**
 * The one place that picks the store engine: FF2_DATABASE_URL=postgres://… selects PostgreSQL
 * (store/pg/), anything else the SQLite file at FF2_DB (store/sqlite.ts, the embedded default).
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.js';
import { assertOutsideSandbox } from '../sandbox/host-paths.js';
import { redact } from './pg/bridge.js';
import { openPgStore, type PgSessionStore } from './pg/store.js';
import { sqliteLevel, sqliteMigrationPlan } from './schema.js';
import { openStore as openSqliteStore } from './sqlite.js';
import type { MigrationPlan, SessionStore } from './types.js';

export interface StoreTarget {
  /** The SQLite file (used when `databaseUrl` is unset). */
  dbPath: string;
  /** A postgres:// URL: PostgreSQL instead. */
  databaseUrl?: string | undefined;
}

export type StoreEngine = 'sqlite' | 'postgres';

export function storeEngine(target: StoreTarget): StoreEngine {
  return target.databaseUrl ? 'postgres' : 'sqlite';
}

/** The database as the operator configured it, for messages (password hidden). */
export function describeStore(target: StoreTarget): string {
  return target.databaseUrl ? `FF2_DATABASE_URL=${redact(target.databaseUrl)}` : `FF2_DB=${target.dbPath}`;
}

/**
 * Opens (creating and migrating) the configured store.
 * @throws StoreError naming the database when it cannot be opened or migrated.
 */
export function openStore(
  target: StoreTarget,
  options: { now?: () => number; worker?: string; leaseTtlMs?: number } = {},
): SessionStore {
  return target.databaseUrl
    ? openPgStore(target.databaseUrl, options)
    : openSqliteStore(target.dbPath, options);
}

/** Opens a PostgreSQL store without migrating it (`ff2 migrate`, `ff2 doctor`). */
export function openPgUnmigrated(url: string): PgSessionStore {
  return openPgStore(url, { migrate: false });
}

/**
 * What migrating the configured database would do. For SQLite `apply` opens the store (which
 * migrates); for PostgreSQL it applies the pending migrations under the migration lock.
 * @throws StoreError when the database cannot be reached.
 */
export function migrateStore(
  target: StoreTarget,
  apply: boolean,
  openSqlite: () => SessionStore,
): MigrationPlan {
  if (target.databaseUrl) {
    const store = openPgUnmigrated(target.databaseUrl);
    try {
      return apply ? store.migrate() : store.migrationPlan();
    } finally {
      store.close();
    }
  }
  const plan = sqliteMigrationPlan(sqliteLevel(target.dbPath));
  if (apply) openSqlite().close();
  return plan;
}

/**
 * The configured session store, opened (created and migrated): every caller that works on the
 * bot's database goes through here. SQLite: the bot's files are private (umask 077, data dir 0700,
 * database 0600) and never where a sandboxed script could read them. PostgreSQL (FF2_DATABASE_URL):
 * no local database file; with `worker`, commits are fenced by session leases (one of many
 * `ff2 serve` workers).
 * @throws SandboxError when the data dir or database is visible inside the sandbox; StoreError when it cannot be opened.
 */
export function createStore(config: Readonly<Config>, options: { worker?: string } = {}): SessionStore {
  process.umask(0o077);
  if (config.databaseUrl) return openStore(config, { ...options, leaseTtlMs: config.workerLeaseMs });
  assertOutsideSandbox({ 'data dir': config.dataDir, database: config.dbPath });
  ensureDir(config.dataDir);
  chmodSync(config.dataDir, 0o700);
  ensureDir(dirname(config.dbPath));
  return openSqliteStore(config.dbPath);
}

/**
 * Creates a folder and its missing parents one level at a time. (Node 20's recursive mkdirSync
 * spins forever under /proc, so an FF2_DB there would hang instead of failing.)
 */
function ensureDir(path: string): void {
  if (existsSync(path)) return;
  const parent = dirname(path);
  if (parent !== path) ensureDir(parent);
  mkdirSync(path);
}
