/**
 * The PostgreSQL session store (FF2_DATABASE_URL=postgres://…): the SessionStore contract, each
 * call one synchronous round trip through the worker thread that owns the `pg` client (bridge.ts,
 * worker.ts, ops.ts). See store/types.ts for why the contract stays synchronous.
 */
import { LeaseHeldError, StoreError } from '../../errors.js';
import type {
  BlobRow,
  ChannelBacklog,
  ClaimOptions,
  EventRow,
  LlmCallRow,
  MigrationPlan,
  NewEvent,
  NewLlmCall,
  NewOutboxMessage,
  NewReview,
  NewSession,
  OutboxBacklog,
  OutboxRow,
  PruneCounts,
  ReviewRow,
  RunRow,
  ScriptVersionRow,
  SessionRow,
  SessionStore,
  StepCommit,
  StoredBlob,
  UsageTotals,
} from '../types.js';
import { redact, SyncPg } from './bridge.js';

export interface PgStoreOptions {
  /** Clock in epoch ms (tests inject one); sent with every call. */
  now?: () => number;
  /** Apply pending migrations on open (default true, as the SQLite store does); false: `ff2 migrate` does. */
  migrate?: boolean;
}

/**
 * Connects to PostgreSQL and (by default) migrates it.
 * @throws StoreError naming the database (password hidden) when it cannot connect or migrate.
 */
export function openPgStore(url: string, options: PgStoreOptions = {}): PgSessionStore {
  const store = new PgSessionStore(new SyncPg(url), options.now ?? Date.now);
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

  constructor(pg: SyncPg, now: () => number) {
    this.#pg = pg;
    this.#now = now;
  }

  /** One call into the worker (see ops.ts for the operations). */
  call<T>(op: string, args: unknown[]): T {
    return this.#pg.call<T>(op, args, this.#now());
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

  createSession(session: NewSession, step: StepCommit = {}): SessionRow {
    return this.call('createSession', [session, step]);
  }
  getSession(id: string): SessionRow | undefined {
    return this.call('getSession', [id]);
  }
  getSessionByThread(threadKey: string): SessionRow | undefined {
    return this.call('getSessionByThread', [threadKey]);
  }
  listSessions(filter: { ownerId?: string; limit?: number } = {}): SessionRow[] {
    return this.call('listSessions', [filter]);
  }
  countSessions(filter: { ownerId: string; active?: boolean; since?: number }): number {
    return this.call('countSessions', [filter]);
  }
  listResumable(): SessionRow[] {
    return this.call('listResumable', []);
  }
  commit(sessionId: string, expectedVersion: number, step: StepCommit): SessionRow {
    return this.call('commit', [sessionId, expectedVersion, step]);
  }
  appendEvent(sessionId: string, event: NewEvent): void {
    this.call('appendEvent', [sessionId, event]);
  }
  listEvents(sessionId: string): EventRow[] {
    return this.call('listEvents', [sessionId]);
  }
  recordInbound(eventId: string, platform: string): boolean {
    return this.call('recordInbound', [eventId, platform]);
  }
  hasInbound(eventId: string): boolean {
    return this.call('hasInbound', [eventId]);
  }
  enqueue(sessionId: string | null, messages: NewOutboxMessage[]): void {
    this.call('enqueue', [sessionId, messages]);
  }
  claimOutbox(
    now: number,
    limit: number,
    threadKeys?: readonly string[],
    options: ClaimOptions = {},
  ): OutboxRow[] {
    return this.call('claimOutbox', [now, limit, threadKeys, options]);
  }
  requeueSending(): number {
    return this.call('requeueSending', []);
  }
  markSent(id: number, messageRef: unknown): void {
    this.call('markSent', [id, messageRef]);
  }
  markFailed(id: number, error: string, retryAt?: number, maybeSent = false): void {
    this.call('markFailed', [id, error, retryAt, maybeSent]);
  }
  lastSentRef(threadKey: string, beforeId: number): unknown {
    return this.call('lastSentRef', [threadKey, beforeId]);
  }
  firstOutboxPayload(sessionId: string, key: string): unknown {
    return this.call('firstOutboxPayload', [sessionId, key]);
  }
  findMessageRef(sessionId: string | null, threadKey: string, key: string): unknown {
    return this.call('findMessageRef', [sessionId, threadKey, key]);
  }
  pendingOutbox(threadKeys?: readonly string[]): number {
    return this.call('pendingOutbox', [threadKeys]);
  }
  outboxBacklog(threadKeys?: readonly string[]): ChannelBacklog[] {
    return this.call('outboxBacklog', [threadKeys]);
  }
  putBlob(sessionId: string | null, name: string, bytes: Uint8Array): StoredBlob {
    return this.call('putBlob', [sessionId, name, bytes]);
  }
  getBlob(id: number): BlobRow | undefined {
    return this.call('getBlob', [id]);
  }
  blobUsage(sessionId: string): { count: number; bytes: number } {
    return this.call('blobUsage', [sessionId]);
  }
  recordLlmCall(call: NewLlmCall): void {
    this.call('recordLlmCall', [call]);
  }
  findLlmCall(sessionId: string, callKey: string): LlmCallRow | undefined {
    return this.call('findLlmCall', [sessionId, callKey]);
  }
  listLlmCalls(sessionId: string): LlmCallRow[] {
    return this.call('listLlmCalls', [sessionId]);
  }
  usageTotals(sessionId: string): UsageTotals {
    return this.call('usageTotals', [sessionId]);
  }
  listScriptVersions(sessionId: string): ScriptVersionRow[] {
    return this.call('listScriptVersions', [sessionId]);
  }
  listRuns(sessionId: string): RunRow[] {
    return this.call('listRuns', [sessionId]);
  }
  listReviews(sessionId: string): ReviewRow[] {
    return this.call('listReviews', [sessionId]);
  }
  addReview(review: NewReview): void {
    this.call('addReview', [review]);
  }

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

  sessionCounts(): { stage: string; status: string; count: number }[] {
    return this.call('sessionCounts', []);
  }
  outboxStates(): OutboxBacklog {
    return this.call('outboxStates', []);
  }
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
