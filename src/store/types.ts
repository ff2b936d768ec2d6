/**
 * The persistence edge's contracts. Synchronous on purpose: better-sqlite3 transactions must not
 * span awaits, and the whole app calls the store synchronously. Every stage outcome is committed
 * with `commit` in ONE transaction.
 *
 * Two engines implement it: SQLite (store/sqlite.ts, the embedded default) and PostgreSQL
 * (store/pg/, selected by FF2_DATABASE_URL=postgres://…). The PostgreSQL store keeps this contract
 * synchronous the way better-sqlite3 does with the disk: the `pg` client runs on a dedicated worker
 * thread and the calling thread blocks on `Atomics.wait` until the reply is posted (read with
 * `receiveMessageOnPort`). One store call is one round trip; a step commit is one message that the
 * worker runs as one transaction (BEGIN, version-guarded UPDATE, inserts, COMMIT). The trade-off:
 * a slow database blocks the event loop just as a slow disk does with SQLite, so keep the
 * PostgreSQL server local or on a low-latency link.
 */
import type * as R from './records.js';

export type * from './records.js';

export interface SessionStore {
  /** Creates a session and its first step atomically. @throws StoreError if the thread already has one. */
  createSession(session: R.NewSession, step?: R.StepCommit): R.SessionRow;
  getSession(id: string): R.SessionRow | undefined;
  getSessionByThread(threadKey: string): R.SessionRow | undefined;
  /** Newest first. */
  listSessions(filter?: { ownerId?: string; limit?: number }): R.SessionRow[];
  /**
   * How many sessions `ownerId` has: with `active`, only those not ended (working or waiting);
   * with `since` (epoch ms), only those created at or after it.
   */
  countSessions(filter: { ownerId: string; active?: boolean; since?: number }): number;
  /** Sessions whose status is `working`, oldest update first. */
  listResumable(): R.SessionRow[];

  /**
   * Applies one step in one transaction: patch + version bump, events, outbox rows, script
   * version, run, reviews, and the inbound event's dedupe row.
   * @throws StaleSessionError (writing nothing) when the session is not at `expectedVersion`.
   * @throws DuplicateInboundError (writing nothing) when `step.inbound` is already recorded.
   */
  commit(sessionId: string, expectedVersion: number, step: R.StepCommit): R.SessionRow;

  /** Appends an audit event outside a step (e.g. a comment from a non-owner). */
  appendEvent(sessionId: string, event: R.NewEvent): void;
  listEvents(sessionId: string): R.EventRow[];

  /** Records an inbound platform event id; true when it was new (act on it), false for a repeat. */
  recordInbound(eventId: string, platform: string): boolean;
  /** True when the event id is recorded (handled before). */
  hasInbound(eventId: string): boolean;

  /** Enqueues outbox messages outside a step (e.g. replies to commands). */
  enqueue(sessionId: string | null, messages: R.NewOutboxMessage[]): void;
  /**
   * Claims up to `limit` deliverable rows: pending, due (`notBefore <= now`), and the oldest
   * undelivered row of their thread (so each thread is delivered in order); at most ONE row per
   * channel (`platform:channel:`) per call, the most urgent (see R.NewOutboxMessage.key), and urgent
   * threads first across channels. Claimed rows become `sending` (and block later rows of their thread
   * until marked sent or failed).
   */
  claimOutbox(
    now: number,
    limit: number,
    threadKeys?: readonly string[],
    options?: R.ClaimOptions,
  ): R.OutboxRow[];
  /**
   * Returns rows left `sending` by a previous (crashed) process to `pending`, flagged `maybeSent`;
   * call once at start, holding the serving lease. Returns how many were requeued.
   *
   * The delivery guarantee: every row is delivered at least once while it can be (retried until
   * sent or failed for good), and at most once VISIBLY: a row flagged `maybeSent` is sent again
   * only after the chat adapter looked for it on the platform and did not find it (Slack: the
   * row id in message metadata among the thread's recent replies, uploads by file name; Discord:
   * the row id as an enforced nonce, and the thread's recent messages). Edits are idempotent.
   * What remains: a platform that accepted a post but does not list it yet when looked for.
   */
  requeueSending(): number;
  markSent(id: number, messageRef: unknown): void;
  /**
   * `retryAt` set: back to pending until then (with `maybeSent` when the failed attempt may have
   * reached the platform, e.g. no answer). Absent: permanently failed.
   */
  markFailed(id: number, error: string, retryAt?: number, maybeSent?: boolean): void;
  /**
   * The platform reference of the newest delivered row of `threadKey` older than row `beforeId`
   * (rows of a thread go out in order, so row `beforeId` cannot have been posted before it).
   */
  lastSentRef(threadKey: string, beforeId: number): unknown;
  /** The payload of the session's first outbox row with this key (e.g. the review card as posted). */
  firstOutboxPayload(sessionId: string, key: string): unknown;
  /** The delivered message of the session's outbox row with this key (newest), if sent. */
  findMessageRef(sessionId: string | null, threadKey: string, key: string): unknown;
  /**
   * Counts of rows not yet sent (pending + sending). With `threadKeys` (here and in
   * `claimOutbox`), only rows of those threads: a process serving some threads (`ff2 chat`)
   * neither takes nor waits for anyone else's messages.
   */
  pendingOutbox(threadKeys?: readonly string[]): number;
  /** Unsent rows per channel, longest queue first. */
  outboxBacklog(threadKeys?: readonly string[]): R.ChannelBacklog[];

  /** Stores file bytes once per session (by SHA-256); the same bytes again return the same id. */
  putBlob(sessionId: string | null, name: string, bytes: Uint8Array): R.StoredBlob;
  getBlob(id: number): R.BlobRow | undefined;
  /** Files and bytes a session holds (attachment caps). */
  blobUsage(sessionId: string): { count: number; bytes: number };

  recordLlmCall(call: R.NewLlmCall): void;
  /** The successful recorded call with this key, for replay. */
  findLlmCall(sessionId: string, callKey: string): R.LlmCallRow | undefined;
  listLlmCalls(sessionId: string): R.LlmCallRow[];
  usageTotals(sessionId: string): R.UsageTotals;

  listScriptVersions(sessionId: string): R.ScriptVersionRow[];
  listRuns(sessionId: string): R.RunRow[];
  listReviews(sessionId: string): R.ReviewRow[];
  /** Records a review verdict outside a step. */
  addReview(review: R.NewReview): void;

  /**
   * Takes or renews the serving lease for `holder` for `ttlMs`. An unexpired lease of another
   * holder is taken over only when `isDead(thatHolder)` says it is certainly dead (see
   * `store/lease.ts`); returns that holder's id then, undefined otherwise.
   * @throws LeaseHeldError when another holder has it and is not known dead.
   */
  acquireLease(holder: string, ttlMs: number, isDead?: (holder: string) => boolean): string | undefined;
  releaseLease(holder: string): void;

  /** Sessions per stage and status (metrics). */
  sessionCounts?(): { stage: string; status: string; count: number }[];
  /** Outbox rows per state (metrics). */
  outboxStates?(): R.OutboxBacklog;
  /**
   * Retention: deletes ended sessions' blobs and events, delivered outbox rows and dedupe rows
   * older than `cutoff` (epoch ms); keeps sessions, script versions, runs and usage. `dryRun` counts only.
   */
  prune?(cutoff: number, options?: { dryRun?: boolean }): R.PruneCounts;
  /** Proves the database accepts a write (a rolled-back write transaction). @throws StoreError-like errors. */
  probeWrite?(): void;

  close(): void;
}

/**
 * Many `ff2 serve` workers on one PostgreSQL database (store/pg/leases.ts): what a worker does
 * besides the store contract. Its store fences every commit by the session lease.
 */
export interface WorkerLeases {
  /** This worker's id (the lease holder). */
  readonly worker: string | undefined;
  /** Registers (or refreshes) this worker, live for `ttlMs`. */
  registerWorker(info: unknown, ttlMs: number): void;
  /** Renews this worker's unexpired session leases; the ids still held. */
  renewSessions(ttlMs: number): string[];
  /** The resume scan: leases up to `limit` working sessions nobody holds live; their ids. */
  claimOrphans(ttlMs: number, limit: number): string[];
  /** Outbox rows left sending by dead workers back to pending (maybe sent). */
  requeueDeadSending(): number;
  /** Unregisters and frees this worker's leases (graceful stop). */
  retireWorker(): void;
}
