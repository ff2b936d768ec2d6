import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logger.js';
import { JOBS_SCHEMA } from '../../../src/ops/job-library.js';
import { RETENTION_CRON, RETENTION_QUEUE, scheduleSharedPrune } from '../../../src/ops/retention-jobs.js';
import { openPgStore, type PgSessionStore } from '../../../src/store/pg/store.js';
import type { PruneCounts } from '../../../src/store/types.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * Retention with many PostgreSQL workers goes through pg-boss: every worker registers the daily
 * schedule and asks for a start-up prune, yet the deployment prunes once — not once per worker,
 * and not again when a worker restarts within the hour.
 */
const missing = postgresMissing();
let pgServer: TestPostgres;
const stops: (() => Promise<void>)[] = [];
const stores: PgSessionStore[] = [];
beforeAll(() => {
  if (!missing) pgServer = startPostgres();
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const s of stores.splice(0)) s.close();
});
afterAll(() => pgServer?.stop());

const lines: { worker: string; message: string; context?: Record<string, unknown> }[] = [];
function loggerOf(worker: string): Logger {
  const log =
    (level: string) =>
    (message: string, context?: Record<string, unknown>): void => {
      lines.push({ worker, message: `${level}: ${message}`, ...(context ? { context } : {}) });
    };
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}

describe.skipIf(missing)('retention on PostgreSQL through the job library (pg-boss)', () => {
  it('prunes once for the whole deployment, whichever worker takes the job', {
    timeout: 60_000,
  }, async () => {
    const url = pgServer.createDatabase();
    const store = openPgStore(url);
    stores.push(store);
    const pruned: string[] = [];
    const counting = (worker: string) => ({
      prune(cutoff: number, options?: { dryRun?: boolean }): PruneCounts {
        pruned.push(worker);
        return store.prune(cutoff, options);
      },
    });
    const start = async (worker: string) => {
      stops.push(
        await scheduleSharedPrune(url, counting(worker), 30, loggerOf(worker), {
          firstDelayS: 0,
          pollingIntervalS: 0.5,
        }),
      );
    };
    await start('w1');
    await start('w2');
    for (let i = 0; i < 100 && pruned.length === 0; i++) await sleep(100);
    expect(pruned).toHaveLength(1);
    // Both workers poll every 0.5 s: a second queued job would have been taken by now.
    await sleep(2_500);
    expect(pruned).toHaveLength(1);
    expect(lines.filter((l) => l.message === 'info: retention pruned')).toHaveLength(1);

    // A worker restarting within the hour asks again: the start-up job is throttled to one an hour.
    await stops.shift()!();
    await start('w3');
    await sleep(2_500);
    expect(pruned).toHaveLength(1);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const schedules = await client.query(`SELECT name, cron, timezone FROM ${JOBS_SCHEMA}.schedule`);
      expect(schedules.rows).toEqual([{ name: RETENTION_QUEUE, cron: RETENTION_CRON, timezone: 'UTC' }]);
    } finally {
      await client.end();
    }
    expect(lines.filter((l) => l.message.startsWith('error:'))).toEqual([]);
  });

  it('says the job library could not start when the database cannot be reached', async () => {
    const url = 'postgres://ff2:secret@127.0.0.1:1/none';
    const error = await scheduleSharedPrune(
      url,
      { prune: () => ({}) as PruneCounts },
      30,
      loggerOf('x'),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^the job library could not start: .*ECONNREFUSED/);
  });
});
