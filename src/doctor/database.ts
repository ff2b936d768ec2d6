import { createStore } from '../store/open.js';
import type { DoctorCheck } from './types.js';

/** The database file opens, migrates and accepts a write. */
export const databaseCheck: DoctorCheck = {
  name: 'database',
  async run(config) {
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
