import { JOBS_SCHEMA_LEVEL, jobLibraryLevel } from '../ops/job-library.js';
import { createStore, describeStore, openPgUnmigrated } from '../store/open.js';
import type { DoctorCheck } from './types.js';

/**
 * SQLite: the database file opens, migrates and accepts a write. PostgreSQL: the server answers,
 * its version, this database's migration level against this ff2's, and a write is accepted; the
 * job library's schema level is reported (not created yet is fine: serve and migrate create it).
 */
export const databaseCheck: DoctorCheck = {
  name: 'database',
  async run(config) {
    if (config.databaseUrl) return postgresCheck(config.databaseUrl, describeStore(config));
    try {
      const store = createStore(config);
      try {
        store.probeWrite?.();
      } finally {
        store.close();
      }
      return { name: 'database', ok: true, detail: `writable: ${config.dbPath}` };
    } catch (error) {
      return {
        name: 'database',
        ok: false,
        detail: `FF2_DB=${config.dbPath} is not usable: ${(error as Error).message}`,
        fix: 'set FF2_DB to a writable file path, e.g. export FF2_DB=./data/ff2.db',
      };
    }
  },
};

async function postgresCheck(url: string, where: string) {
  let store: ReturnType<typeof openPgUnmigrated> | undefined;
  try {
    store = openPgUnmigrated(url);
    const { serverVersion, level } = store.info();
    const plan = store.migrationPlan();
    const major = Number.parseInt(serverVersion, 10);
    if (major < 13) {
      return {
        name: 'database',
        ok: false,
        detail: `PostgreSQL ${serverVersion} at ${where} is too old`,
        fix: 'use PostgreSQL 13 or newer (e.g. Debian 12: apt-get install postgresql)',
      };
    }
    if (plan.pending.length > 0) {
      return {
        name: 'database',
        ok: false,
        detail: `PostgreSQL ${serverVersion}, schema at level ${level} of ${plan.target} (${plan.pending.length} migration(s) pending)`,
        fix: 'run: ff2 migrate',
      };
    }
    store.probeWrite();
    const jobs = await jobLibraryLevel(url);
    const jobsDetail =
      jobs === undefined
        ? 'not created yet (ff2 migrate or serve creates it)'
        : `level ${jobs} of ${JOBS_SCHEMA_LEVEL}`;
    return {
      name: 'database',
      ok: true,
      detail: `PostgreSQL ${serverVersion}, schema at level ${level} of ${plan.target}, writable; job library ${jobsDetail}`,
    };
  } catch (error) {
    return {
      name: 'database',
      ok: false,
      detail: `${where} is not usable: ${(error as Error).message}`,
      fix: 'check that PostgreSQL runs and FF2_DATABASE_URL names a database this user may write (createdb ff2)',
    };
  } finally {
    store?.close();
  }
}
