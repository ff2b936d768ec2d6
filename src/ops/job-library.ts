/**
 * The PostgreSQL job library, pg-boss, as ff2 uses it: its tables live in the schema `ff2_jobs`
 * beside ff2's own. pg-boss versions and migrates that schema itself, under its own advisory lock
 * (on every start, and from `ff2 migrate`); `jobLibraryLevel` reads the level without changing it.
 */
import { createRequire } from 'node:module';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { redact } from '../store/pg/bridge.js';

export const JOBS_SCHEMA = 'ff2_jobs';
/** The schema level this ff2's pg-boss needs. */
export const JOBS_SCHEMA_LEVEL: number = createRequire(import.meta.url)('pg-boss/version.json').schema;

/** A pg-boss instance on `url` in ff2's schema (not started; at most `max` connections). */
export function newJobLibrary(url: string, options: { max?: number; maintenance?: boolean } = {}): PgBoss {
  return new PgBoss({
    connectionString: url,
    schema: JOBS_SCHEMA,
    application_name: 'ff2-jobs',
    max: options.max ?? 2,
    ...(options.maintenance === false ? { supervise: false, schedule: false } : {}),
  });
}

/** The job library's schema level in the database (undefined: not created yet). */
export async function jobLibraryLevel(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const exists = await client.query('SELECT to_regclass($1) AS t', [`${JOBS_SCHEMA}.version`]);
    if (exists.rows[0].t === null) return undefined;
    const row = await client.query(`SELECT version FROM ${JOBS_SCHEMA}.version`);
    return row.rows.length ? Number(row.rows[0].version) : undefined;
  } catch (error) {
    throw new Error(`the job library's schema could not be read: ${redact((error as Error).message)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates or migrates the job library's schema to JOBS_SCHEMA_LEVEL (pg-boss's own migrations). */
export async function migrateJobLibrary(url: string): Promise<void> {
  const boss = newJobLibrary(url, { max: 1, maintenance: false });
  boss.on('error', () => {});
  try {
    await boss.start();
  } catch (error) {
    throw new Error(`the job library could not migrate: ${redact((error as Error).message)}`);
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 1000 }).catch(() => {});
  }
}
