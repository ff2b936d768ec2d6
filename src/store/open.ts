/**
 * The one place that picks the store engine: FF2_DATABASE_URL=postgres://… selects PostgreSQL
 * (store/pg/), anything else the SQLite file at FF2_DB (store/sqlite.ts, the embedded default).
 */
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
