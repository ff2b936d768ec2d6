/**
 * Retention with many PostgreSQL workers, through the job library pg-boss (ops/job-library.ts).
 * Every worker registers the same daily cron schedule (one row: pg-boss keys schedules by name)
 * and sends one start-up job throttled to one an hour across all workers; the queue's `stately` policy keeps at
 * most one prune queued and one running. Whichever worker pg-boss hands a job to prunes; the others
 * do not — one prune a day for the whole deployment instead of one per worker.
 *
 * Why only retention: the other periodic work of a worker (lease renewal, resuming a dead worker's
 * sessions every third of FF2_WORKER_LEASE_S, requeueing its deliveries) is per worker and
 * sub-minute, where pg-boss's cron is per minute; run jobs need slot-aware claims, environment
 * matching and fenced late results in one transaction (store/pg/jobs.ts).
 */
import type { Logger } from '../logger.js';
import { redact } from '../store/pg/bridge.js';
import type { SessionStore } from '../store/types.js';
import { newJobLibrary } from './job-library.js';
import { pruneOnce } from './retention.js';

export const RETENTION_QUEUE = 'ff2-retention';
/** 03:17 UTC every day: off the hour, when chat traffic is usually low. */
export const RETENTION_CRON = '17 3 * * *';

export interface SharedPruneOptions {
  now?: () => number;
  /** Delay of the start-up prune (default 60 s, as with SQLite). */
  firstDelayS?: number;
  /** How often this worker asks for a queued job (default 30 s). */
  pollingIntervalS?: number;
}

/**
 * Starts pg-boss for this worker and registers the retention schedule and handler.
 * @returns the function that stops it (waits up to 5 s for a prune in progress).
 * @throws Error when the database cannot be reached or pg-boss cannot create its schema.
 */
export async function scheduleSharedPrune(
  url: string,
  store: Pick<SessionStore, 'prune'>,
  retentionDays: number,
  logger: Logger,
  options: SharedPruneOptions = {},
): Promise<() => Promise<void>> {
  const now = options.now ?? Date.now;
  const boss = newJobLibrary(url);
  boss.on('error', (error) => logger.error('job library error', { error: redact(error.message) }));
  try {
    await boss.start();
    await boss.createQueue(RETENTION_QUEUE, {
      name: RETENTION_QUEUE,
      policy: 'stately',
      retryLimit: 1,
      expireInSeconds: 1800,
    });
    await boss.schedule(RETENTION_QUEUE, RETENTION_CRON, {}, { tz: 'UTC' });
    await boss.send(
      RETENTION_QUEUE,
      { reason: 'start' },
      { singletonKey: 'start', singletonHours: 1, startAfter: options.firstDelayS ?? 60 },
    );
    await boss.work(RETENTION_QUEUE, { pollingIntervalSeconds: options.pollingIntervalS ?? 30 }, async () => {
      try {
        const counts = pruneOnce(store, now(), retentionDays);
        logger.info('retention pruned', { ...counts, retentionDays });
      } catch (error) {
        logger.error('retention failed', { error: (error as Error).message });
        throw error;
      }
    });
  } catch (error) {
    await boss.stop({ graceful: false, wait: true, timeout: 1000 }).catch(() => {});
    throw new Error(`the job library could not start: ${redact((error as Error).message)}`);
  }
  return () => boss.stop({ graceful: true, wait: true, timeout: 5000 });
}
