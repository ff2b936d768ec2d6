import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { CLAIM_LOCK } from '../../../src/store/pg/outbox.js';
import { openPgStore } from '../../../src/store/pg/store.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * One store call that the database does not answer in time (here: the outbox claim lock held by
 * someone else's long transaction) fails with a StoreError — and the store goes on working: the
 * next call runs on a fresh connection, and a late answer to the old call is never taken for it.
 */
const missing = postgresMissing();
let server: TestPostgres;
beforeAll(() => {
  if (!missing) server = startPostgres();
});
afterAll(() => server?.stop());

describe.skipIf(missing)('PostgreSQL store: a call that times out', () => {
  it('fails that call only; the next calls answer on a fresh connection', { timeout: 60_000 }, async () => {
    const url = server.createDatabase();
    const store = openPgStore(url, { callTimeoutMs: 5_000 });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
      const busy = holder.query('SELECT pg_sleep(12)').then(() => holder.query('COMMIT'));
      let error: unknown;
      try {
        store.claimOutbox(Date.now(), 5);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/did not answer claimOutbox within 5 s/);
      // Not held by the lock: answered at once, on a new connection.
      expect(store.pendingOutbox()).toBe(0);
      expect(store.listSessions()).toEqual([]);
      await busy;
      expect(store.claimOutbox(Date.now(), 5)).toEqual([]);
      expect(store.pendingOutbox()).toBe(0);
    } finally {
      await holder.end();
      store.close();
    }
  });
});
