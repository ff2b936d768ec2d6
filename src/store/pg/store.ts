/**
 * The PostgreSQL session store (FF2_DATABASE_URL=postgres://…): the SessionStore contract, each
 * call one synchronous round trip through the worker thread that owns the `pg` client (bridge.ts,
 * worker.ts, ops.ts). See store/types.ts for why the contract stays synchronous.
 */
import { LeaseHeldError, StoreError } from '../../errors.js';
import type { MigrationPlan, OutboxBacklog, PruneCounts, SessionStore } from '../types.js';
import { redact, SyncPg } from './bridge.js';
import type { WorkerRow } from './leases.js';

export interface PgStoreOptions {
  /** Clock in epoch ms (tests inject one); sent with every call. */
  now?: () => number;
  /** Apply pending migrations on open (default true, as the SQLite store does); false: `ff2 migrate` does. */
  migrate?: boolean;
  /**
   * Many workers: this process's worker id. Every commit is then fenced by the session lease
   * (leases.ts): only the worker holding a session's unexpired lease can commit its steps, and
   * a session this worker creates starts leased to it for `leaseTtlMs`.
   */
  worker?: string;
  /** The lease taken on a created session (default 30 s). */
  leaseTtlMs?: number;
  /** Longest one store call may wait for the database (default 60 s; tests shorten it). */
  callTimeoutMs?: number;
}

/**
 * Connects to PostgreSQL and (by default) migrates it.
 * @throws StoreError naming the database (password hidden) when it cannot connect or migrate.
 */
export function openPgStore(url: string, options: PgStoreOptions = {}): PgSessionStore {
  const fence = options.worker ? { worker: options.worker, leaseTtlMs: options.leaseTtlMs ?? 30_000 } : {};
  const store = new PgSessionStore(new SyncPg(url, options.callTimeoutMs), options.now ?? Date.now, fence);
  try {
    store.call('connect', []);
    if (options.migrate !== false) store.call('migrate', []);
  } catch (error) {
    store.close();
    throw new StoreError(`cannot open database ${redact(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return store;
}

export class PgSessionStore implements SessionStore {
  readonly #pg: SyncPg;
  readonly #now: () => number;
  readonly #fence: { worker?: string; leaseTtlMs?: number };

  constructor(pg: SyncPg, now: () => number, fence: { worker?: string; leaseTtlMs?: number } = {}) {
    this.#pg = pg;
    this.#now = now;
    this.#fence = fence;
  }

  /** One call into the worker (see ops.ts and leases.ts for the operations). */
  call<T>(op: string, args: unknown[]): T {
    return this.#pg.call<T>(op, args, this.#now(), this.#fence);
  }

  /** This store's worker id (PgStoreOptions.worker), if any. */
  get worker(): string | undefined {
    return this.#fence.worker;
  }

  // Many workers (leases.ts); each needs PgStoreOptions.worker.
  /** Takes or renews this worker's lease on a session; false while another worker holds it unexpired. */
  leaseSession = (sessionId: string, ttlMs: number): boolean =>
    this.#leaseCall('leaseSession', [sessionId, ttlMs]);
  releaseSession = (sessionId: string): void => this.#leaseCall('releaseSession', [sessionId]);
  /** Renews every unexpired lease of this worker; returns the sessions still held (a lost one is absent). */
  renewSessions = (ttlMs: number): string[] => this.#leaseCall('renewSessions', [ttlMs]);
  /** The resume scan: leases up to `limit` working sessions whose lease is missing or expired; their ids. */
  claimOrphans = (ttlMs: number, limit: number): string[] => this.#leaseCall('claimOrphans', [ttlMs, limit]);
  /** Registers (or refreshes) this worker with what it advertises, live for `ttlMs`. */
  registerWorker = (info: unknown, ttlMs: number): void => this.#leaseCall('registerWorker', [info, ttlMs]);
  /** Unregisters this worker and frees its session leases (a graceful stop). */
  retireWorker = (): void => this.#leaseCall('retireWorker', []);
  listWorkers = (): WorkerRow[] => this.#leaseCall('listWorkers', []);
  /** Outbox rows left `sending` by dead workers back to pending, flagged maybe sent. */
  requeueDeadSending = (): number => this.#leaseCall('requeueDeadSending', []);

  #leaseCall<T>(op: string, args: unknown[]): T {
    if (!this.#fence.worker) throw new StoreError(`${op} needs a worker id (PgStoreOptions.worker)`);
    return this.call<T>(op, args);
  }

  /** The server's version and this database's migration level. */
  info(): { serverVersion: string; level: number } {
    return this.call('info', []);
  }

  /** What `migrate` would apply. */
  migrationPlan(): MigrationPlan {
    return this.call('plan', []);
  }

  /** Applies pending migrations; returns what was pending. */
  migrate(): MigrationPlan {
    return this.call('migrate', []);
  }

  // Each contract call is one round trip to the worker (ops.ts has the work).
  createSession: SessionStore['createSession'] = (session, step = {}) =>
    this.call('createSession', [session, step]);
  getSession: SessionStore['getSession'] = (id) => this.call('getSession', [id]);
  getSessionByThread: SessionStore['getSessionByThread'] = (threadKey) =>
    this.call('getSessionByThread', [threadKey]);
  listSessions: SessionStore['listSessions'] = (filter = {}) => this.call('listSessions', [filter]);
  countSessions: SessionStore['countSessions'] = (filter) => this.call('countSessions', [filter]);
  listResumable: SessionStore['listResumable'] = () => this.call('listResumable', []);
  commit: SessionStore['commit'] = (sessionId, expectedVersion, step) =>
    this.call('commit', [sessionId, expectedVersion, step]);
  appendEvent: SessionStore['appendEvent'] = (sessionId, event) =>
    this.call('appendEvent', [sessionId, event]);
  listEvents: SessionStore['listEvents'] = (sessionId) => this.call('listEvents', [sessionId]);
  recordInbound: SessionStore['recordInbound'] = (eventId, platform) =>
    this.call('recordInbound', [eventId, platform]);
  hasInbound: SessionStore['hasInbound'] = (eventId) => this.call('hasInbound', [eventId]);
  enqueue: SessionStore['enqueue'] = (sessionId, messages) => this.call('enqueue', [sessionId, messages]);
  claimOutbox: SessionStore['claimOutbox'] = (now, limit, threadKeys, options = {}) =>
    this.call('claimOutbox', [now, limit, threadKeys, options]);
  requeueSending: SessionStore['requeueSending'] = () => this.call('requeueSending', []);
  markSent: SessionStore['markSent'] = (id, messageRef) => this.call('markSent', [id, messageRef]);
  markFailed: SessionStore['markFailed'] = (id, error, retryAt, maybeSent = false) =>
    this.call('markFailed', [id, error, retryAt, maybeSent]);
  lastSentRef: SessionStore['lastSentRef'] = (threadKey, beforeId) =>
    this.call('lastSentRef', [threadKey, beforeId]);
  firstOutboxPayload: SessionStore['firstOutboxPayload'] = (sessionId, key) =>
    this.call('firstOutboxPayload', [sessionId, key]);
  findMessageRef: SessionStore['findMessageRef'] = (sessionId, threadKey, key) =>
    this.call('findMessageRef', [sessionId, threadKey, key]);
  pendingOutbox: SessionStore['pendingOutbox'] = (threadKeys) => this.call('pendingOutbox', [threadKeys]);
  outboxBacklog: SessionStore['outboxBacklog'] = (threadKeys) => this.call('outboxBacklog', [threadKeys]);
  putBlob: SessionStore['putBlob'] = (sessionId, name, bytes) =>
    this.call('putBlob', [sessionId, name, bytes]);
  getBlob: SessionStore['getBlob'] = (id) => this.call('getBlob', [id]);
  blobUsage: SessionStore['blobUsage'] = (sessionId) => this.call('blobUsage', [sessionId]);
  recordLlmCall: SessionStore['recordLlmCall'] = (call) => this.call('recordLlmCall', [call]);
  findLlmCall: SessionStore['findLlmCall'] = (sessionId, callKey) =>
    this.call('findLlmCall', [sessionId, callKey]);
  listLlmCalls: SessionStore['listLlmCalls'] = (sessionId) => this.call('listLlmCalls', [sessionId]);
  usageTotals: SessionStore['usageTotals'] = (sessionId) => this.call('usageTotals', [sessionId]);
  listScriptVersions: SessionStore['listScriptVersions'] = (sessionId) =>
    this.call('listScriptVersions', [sessionId]);
  listRuns: SessionStore['listRuns'] = (sessionId) => this.call('listRuns', [sessionId]);
  listReviews: SessionStore['listReviews'] = (sessionId) => this.call('listReviews', [sessionId]);
  addReview: SessionStore['addReview'] = (review) => this.call('addReview', [review]);

  acquireLease(holder: string, ttlMs: number, isDead?: (holder: string) => boolean): string | undefined {
    type Try = { held?: { holder: string; expiresAt: number }; takenFrom?: string };
    const first = this.call<Try>('leaseTry', ['serve', holder, ttlMs]);
    if (!first.held) return first.takenFrom;
    if (!isDead?.(first.held.holder)) throw new LeaseHeldError(first.held.holder, first.held.expiresAt);
    // Take it over only from the holder found dead (another may have taken it meanwhile).
    const second = this.call<Try>('leaseTry', ['serve', holder, ttlMs, first.held.holder]);
    if (second.held) throw new LeaseHeldError(second.held.holder, second.held.expiresAt);
    return second.takenFrom;
  }
  releaseLease(holder: string): void {
    this.call('releaseLease', ['serve', holder]);
  }

  sessionCounts = (): { stage: string; status: string; count: number }[] => this.call('sessionCounts', []);
  outboxStates = (): OutboxBacklog => this.call('outboxStates', []);
  prune(cutoff: number, options: { dryRun?: boolean } = {}): PruneCounts {
    return this.call('prune', [cutoff, options.dryRun ?? false]);
  }
  probeWrite(): void {
    this.call('probeWrite', []);
  }
  close(): void {
    this.#pg.close();
  }
}
