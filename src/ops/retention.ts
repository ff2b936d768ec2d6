/**
 * Retention (FF2_RETENTION_DAYS): what `ff2 prune` and serve's daily task delete. Ended sessions'
 * files (blobs) and events, delivered outbox rows and inbound dedupe rows older than the window go;
 * every session row, its script versions (so its final script), runs, usage and its state (with
 * the ship summary) stay. No VACUUM: SQLite reuses the freed pages; see README "Retention".
 */
import type { Logger } from '../logger.js';
import type { PruneCounts, SessionStore } from '../store/types.js';

const DAY_MS = 86_400_000;

export function pruneCutoff(now: number, retentionDays: number): number {
  return now - retentionDays * DAY_MS;
}

/** Runs retention once. @throws Error when the store cannot prune. */
export function pruneOnce(
  store: Pick<SessionStore, 'prune'>,
  now: number,
  retentionDays: number,
  dryRun = false,
): PruneCounts {
  if (!store.prune) throw new Error('this store does not support retention');
  return store.prune(pruneCutoff(now, retentionDays), { dryRun });
}

/** Prunes shortly after start and then every 24 h; returns the function that stops it. */
export function scheduleDailyPrune(
  store: Pick<SessionStore, 'prune'>,
  retentionDays: number,
  logger: Logger,
  options: { now?: () => number; firstDelayMs?: number; intervalMs?: number } = {},
): () => void {
  const now = options.now ?? Date.now;
  const run = () => {
    try {
      const counts = pruneOnce(store, now(), retentionDays);
      logger.info('retention pruned', { ...counts, retentionDays });
    } catch (error) {
      logger.error('retention failed', { error: (error as Error).message });
    }
  };
  const first = setTimeout(run, options.firstDelayMs ?? 60_000);
  const every = setInterval(run, options.intervalMs ?? DAY_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
