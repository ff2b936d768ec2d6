import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LeaseHeldError, StoreError } from '../errors.js';
import { BlobTable } from './blobs.js';
import { OpsQueries } from './ops.js';
import {
  parseJson,
  type SessionRecord,
  toEvent,
  toLlmCall,
  toOutbox,
  toReview,
  toRun,
  toScriptVersion,
  toSession,
} from './rows.js';
import { migrate } from './schema.js';
import { prepare } from './sqlite-statements.js';
import { SqliteStepWriter } from './sqlite-step.js';
import type {
  BlobRow,
  ChannelBacklog,
  ClaimOptions,
  EventRow,
  LlmCallRow,
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
} from './types.js';

export interface SqliteStoreOptions {
  /** Clock in epoch ms (tests inject one). */
  now?: () => number;
  /** How long a writer waits for a lock before failing, in ms. Default 5,000. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating and migrating) a SQLite database: WAL, synchronous=FULL, foreign keys on.
 * `:memory:` gives a private in-memory database.
 * @throws StoreError naming the path when it cannot be opened or migrated.
 */
export function openStore(path: string, options: SqliteStoreOptions = {}): SqliteSessionStore {
  let db: Database.Database;
  try {
    if (path !== ':memory:') keepPrivate(path);
    db = new Database(path);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    throw new StoreError(`cannot open database ${path}: ${(error as Error).message}`, { cause: error });
  }
  return new SqliteSessionStore(db, options.now ?? Date.now);
}

/** The database (and SQLite's -wal/-shm, which copy its mode) is readable by its owner only. */
function keepPrivate(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #s: ReturnType<typeof prepare>;
  readonly #blobs: BlobTable;
  readonly #ops: OpsQueries;
  readonly #w: SqliteStepWriter;

  constructor(db: Database.Database, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#s = prepare(db);
    this.#blobs = new BlobTable(db);
    this.#ops = new OpsQueries(db);
    this.#w = new SqliteStepWriter(this.#s, this.#blobs);
  }

  sessionCounts(): { stage: string; status: string; count: number }[] {
    return this.#ops.sessionCounts();
  }

  outboxStates(): OutboxBacklog {
    return this.#ops.outboxBacklog();
  }

  prune(cutoff: number, options: { dryRun?: boolean } = {}): PruneCounts {
    return this.#ops.prune(cutoff, options.dryRun ?? false);
  }

  putBlob(sessionId: string | null, name: string, bytes: Uint8Array): StoredBlob {
    return this.#blobs.put(sessionId, name, bytes, this.#now());
  }

  getBlob(id: number): BlobRow | undefined {
    return this.#blobs.get(id);
  }

  blobUsage(sessionId: string): { count: number; bytes: number } {
    return this.#blobs.usage(sessionId);
  }

  createSession(session: NewSession, step: StepCommit = {}): SessionRow {
    const now = this.#now();
    return this.#db
      .transaction(() => {
        try {
          this.#s.insertSession.run({
            ...session,
            state: JSON.stringify(session.state ?? null),
            version: 0,
            now,
          });
        } catch (error) {
          throw new StoreError(`cannot create session ${session.id}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        return this.#w.apply(session.id, 0, step, now);
      })
      .immediate();
  }

  getSession(id: string): SessionRow | undefined {
    const row = this.#s.sessionById.get(id) as SessionRecord | undefined;
    return row && toSession(row);
  }

  getSessionByThread(threadKey: string): SessionRow | undefined {
    const row = this.#s.sessionByThread.get(threadKey) as SessionRecord | undefined;
    return row && toSession(row);
  }

  listSessions(filter: { ownerId?: string; limit?: number } = {}): SessionRow[] {
    const limit = filter.limit ?? 1000;
    const rows = filter.ownerId
      ? this.#s.sessionsByOwner.all(filter.ownerId, limit)
      : this.#s.sessionsAll.all(limit);
    return (rows as SessionRecord[]).map(toSession);
  }

  countSessions(filter: { ownerId: string; active?: boolean; since?: number }): number {
    const row = this.#s.countSessions.get({
      owner: filter.ownerId,
      active: filter.active ? 1 : 0,
      since: filter.since ?? 0,
    }) as { n: number };
    return row.n;
  }

  listResumable(): SessionRow[] {
    return (this.#s.resumable.all() as SessionRecord[]).map(toSession);
  }

  commit(sessionId: string, expectedVersion: number, step: StepCommit): SessionRow {
    const now = this.#now();
    return this.#db.transaction(() => this.#w.apply(sessionId, expectedVersion, step, now)).immediate();
  }

  appendEvent(sessionId: string, event: NewEvent): void {
    this.#w.insertEvent(sessionId, event, this.#now());
  }

  listEvents(sessionId: string): EventRow[] {
    return (this.#s.eventsBySession.all(sessionId) as Record<string, unknown>[]).map(toEvent);
  }

  hasInbound(eventId: string): boolean {
    return this.#s.hasInbound.get(eventId) !== undefined;
  }

  recordInbound(eventId: string, platform: string): boolean {
    return this.#s.insertInbound.run(eventId, platform, this.#now()).changes === 1;
  }

  enqueue(sessionId: string | null, messages: NewOutboxMessage[]): void {
    const now = this.#now();
    this.#db.transaction(() => this.#w.insertOutbox(sessionId, messages, now)).immediate();
  }

  claimOutbox(
    now: number,
    limit: number,
    threadKeys?: readonly string[],
    options: ClaimOptions = {},
  ): OutboxRow[] {
    return this.#db
      .transaction(() => {
        const rows = this.#s.claimable.all({
          now,
          limit,
          threads: threadKeys ? JSON.stringify(threadKeys) : null,
          only: options.only ?? null,
          skip: JSON.stringify(options.skip ?? []),
          answersOnly: JSON.stringify(options.answersOnly ?? []),
          edits: options.edits ?? 'all',
        }) as Record<string, unknown>[];
        for (const row of rows) this.#s.markSending.run(now, row.id);
        return rows.map((r) => {
          const row = toOutbox({ ...r, status: 'sending', attempts: (r.attempts as number) + 1 });
          return { ...row, payload: this.#blobs.inflate(row.payload) };
        });
      })
      .immediate();
  }

  requeueSending(): number {
    return this.#s.requeueSending.run().changes;
  }

  markSent(id: number, messageRef: unknown): void {
    this.#s.markSent.run(JSON.stringify(messageRef ?? null), this.#now(), id);
  }

  markFailed(id: number, error: string, retryAt?: number, maybeSent = false): void {
    if (retryAt === undefined) this.#s.markFailed.run(error, id);
    else this.#s.markRetry.run(error, retryAt, maybeSent ? 1 : 0, id);
  }

  firstOutboxPayload(sessionId: string, key: string): unknown {
    const row = this.#s.firstByKey.get(sessionId, key) as { payload: string } | undefined;
    return row ? parseJson(row.payload) : undefined;
  }

  findMessageRef(sessionId: string | null, threadKey: string, key: string): unknown {
    const row = this.#s.messageRefByKey.get(threadKey, key, sessionId, sessionId) as
      | { message_ref: string }
      | undefined;
    return row ? parseJson(row.message_ref) : undefined;
  }

  lastSentRef(threadKey: string, beforeId: number): unknown {
    const row = this.#s.lastSentRef.get(threadKey, beforeId) as { message_ref: string } | undefined;
    return row ? parseJson(row.message_ref) : undefined;
  }

  pendingOutbox(threadKeys?: readonly string[]): number {
    const row = threadKeys
      ? this.#s.pendingCountIn.get(JSON.stringify(threadKeys))
      : this.#s.pendingCount.get();
    return (row as { n: number }).n;
  }

  outboxBacklog(threadKeys?: readonly string[]): ChannelBacklog[] {
    const rows = this.#s.backlog.all({ threads: threadKeys ? JSON.stringify(threadKeys) : null }) as {
      channel: string;
      n: number;
      oldest: number;
    }[];
    return rows.map((r) => ({ channel: r.channel, queued: r.n, oldestAt: r.oldest }));
  }

  recordLlmCall(call: NewLlmCall): void {
    this.#s.insertLlmCall.run({
      ...call,
      latencyMs: Math.round(call.latencyMs),
      now: this.#now(),
    });
  }

  findLlmCall(sessionId: string, callKey: string): LlmCallRow | undefined {
    const row = this.#s.llmCallByKey.get(sessionId, callKey) as Record<string, unknown> | undefined;
    return row && toLlmCall(row);
  }

  listLlmCalls(sessionId: string): LlmCallRow[] {
    return (this.#s.llmCallsBySession.all(sessionId) as Record<string, unknown>[]).map(toLlmCall);
  }

  usageTotals(sessionId: string): UsageTotals {
    const r = this.#s.usageTotals.get(sessionId) as Record<string, number | null>;
    return {
      calls: r.calls ?? 0,
      promptTokens: r.prompt ?? 0,
      completionTokens: r.completion ?? 0,
      costUsd: r.cost ?? 0,
    };
  }

  listScriptVersions(sessionId: string): ScriptVersionRow[] {
    return (this.#s.scriptVersions.all(sessionId) as Record<string, unknown>[]).map(toScriptVersion);
  }

  listRuns(sessionId: string): RunRow[] {
    return (this.#s.runsBySession.all(sessionId) as Record<string, unknown>[]).map(toRun);
  }

  listReviews(sessionId: string): ReviewRow[] {
    return (this.#s.reviewsBySession.all(sessionId) as Record<string, unknown>[]).map(toReview);
  }

  addReview(review: NewReview): void {
    this.#w.insertReview(review, this.#now());
  }

  acquireLease(holder: string, ttlMs: number, isDead?: (holder: string) => boolean): string | undefined {
    const now = this.#now();
    return this.#db
      .transaction(() => {
        const row = this.#s.leaseGet.get('serve') as { holder: string; expires_at: number } | undefined;
        let takenFrom: string | undefined;
        if (row && row.holder !== holder && row.expires_at > now) {
          if (!isDead?.(row.holder)) throw new LeaseHeldError(row.holder, row.expires_at);
          takenFrom = row.holder;
        }
        this.#s.leasePut.run('serve', holder, now + ttlMs);
        return takenFrom;
      })
      .immediate();
  }

  releaseLease(holder: string): void {
    this.#s.leaseDelete.run('serve', holder);
  }

  /** Proves the file accepts a write (doctor): a write transaction that is rolled back. */
  probeWrite(): void {
    this.#db.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS _probe (x); DROP TABLE _probe; ROLLBACK;');
  }

  /** Runs `PRAGMA integrity_check`; "ok" when healthy. */
  integrityCheck(): string {
    return this.#db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
