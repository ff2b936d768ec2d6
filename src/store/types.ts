/**
 * The persistence edge's contracts. Synchronous on purpose: better-sqlite3 transactions must not
 * span awaits. Every stage outcome is committed with `commit` in ONE transaction.
 */

/** `working`: the runner owes a step (resumed on start). `waiting`: a person owes an event. */
export type SessionStatus = 'working' | 'waiting' | 'done' | 'cancelled' | 'failed';

export interface SessionRow {
  id: string;
  /** `platform:channel:thread`, unique. */
  threadKey: string;
  platform: string;
  /** Qualified owner id, e.g. `slack:U123`. */
  ownerId: string;
  goal: string;
  /** Pipeline stage name (snake_case). */
  stage: string;
  status: SessionStatus;
  /** Optimistic concurrency counter; +1 on every commit. */
  version: number;
  /** Pipeline-owned state; validated by the pipeline when read. */
  state: unknown;
  createdAt: number;
  updatedAt: number;
}

export interface NewSession {
  id: string;
  threadKey: string;
  platform: string;
  ownerId: string;
  goal: string;
  stage: string;
  status: SessionStatus;
  state: unknown;
}

export interface SessionPatch {
  stage?: string;
  status?: SessionStatus;
  goal?: string;
  state?: unknown;
}

export interface NewEvent {
  /** e.g. `message_in`, `stage_done`, `comment`. */
  type: string;
  /** Qualified user id or "bot". */
  actor?: string;
  data?: unknown;
}

export interface EventRow extends NewEvent {
  id: number;
  sessionId: string;
  createdAt: number;
}

export interface NewOutboxMessage {
  threadKey: string;
  /**
   * The Outgoing message (JSON-serialisable; file bytes as base64 by the caller). The store keeps
   * file bytes in blobs and the row references them; claimed rows come back with base64 again.
   */
  payload: unknown;
  /**
   * A name for this message within the session (e.g. `status:generate`). A later message
   * whose payload says it replaces this key is delivered as an edit of it.
   *
   * Coalescing: a message whose payload `replacesKey` equals its own `key` (an edit of its own
   * message, e.g. a status line) supersedes every still-pending (unclaimed) row of the same thread
   * and key that is also such an edit: at most one edit per message waits, the newest. If a
   * superseded row would have posted the message (it was not `replaceOnly`), the new row drops
   * `replaceOnly` so the message still appears.
   *
   * Priority, most urgent first: the direct answer to a person, i.e. every message written
   * together (one `commit`/`enqueue`) with an edit that closes buttons ("✔ … chosen by …": a
   * `replaceOnly` row outside `status:`), such as the next gate's message; then other messages;
   * then background progress (keys starting `status:`). A thread is as urgent as its most urgent
   * pending row, since its rows are delivered in order.
   */
  key?: string;
}

/** Which rows `claimOutbox` may hand out; prefixes are of thread keys (`platform:channel:`). */
export interface ClaimOptions {
  /** Only rows whose thread key starts with this (e.g. `slack:`). */
  only?: string;
  /**
   * No rows of these (channels or threads waiting out their spacing): a thread-key prefix
   * (`slack:C1:`), or `=` and a whole thread key (`=discord:P:T`).
   */
  skip?: readonly string[];
  /**
   * Of these (same forms as `skip`), only threads whose most urgent pending row is a direct
   * answer to a person (see NewOutboxMessage.key): their spacing has just the reserved token left.
   */
  answersOnly?: readonly string[];
  /**
   * Which edits (rows whose payload `replacesKey` a delivered message) may be handed out: `all`
   * (default), `answers` (only in threads whose most urgent pending row is a direct answer), or
   * `none` (a platform's edit budget is spent; a thread whose next row is an edit waits).
   */
  edits?: 'all' | 'answers' | 'none';
}

/** Rows not yet sent in one channel (`platform:channel:`). */
export interface ChannelBacklog {
  channel: string;
  /** Pending + sending rows. */
  queued: number;
  /** Epoch ms the oldest of them was queued. */
  oldestAt: number;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxRow {
  id: number;
  sessionId: string | null;
  threadKey: string;
  key: string | null;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  /** Epoch ms before which the row must not be tried again. */
  notBefore: number;
  /** Platform message reference once sent. */
  messageRef: unknown;
  error: string | null;
  createdAt: number;
  /**
   * A previous attempt may have reached the platform (the process died while the row was
   * `sending`, or a request got no answer): look for it there before sending again.
   */
  maybeSent: boolean;
}

export interface NewScriptVersion {
  /** e.g. `generated`, `repair: NameError in parse_rows`, `user edit`. */
  reason: string;
  code: string;
  /** Unified diff against the previous version ('' for the first). */
  diff: string;
}

export interface ScriptVersionRow extends NewScriptVersion {
  sessionId: string;
  /** 1-based, consecutive per session. */
  number: number;
  createdAt: number;
}

export interface NewRun {
  /** Script version the run used. */
  version: number;
  status: string;
  exitCode: number | null;
  durationMs: number;
  /** The whole run result and smoke-check verdicts, as stored JSON. */
  result: unknown;
}

export interface RunRow extends NewRun {
  id: number;
  sessionId: string;
  createdAt: number;
}

export interface NewLlmCall {
  sessionId: string | null;
  stage: string;
  /** Unique per session for a logical call; used to replay instead of paying twice. */
  callKey: string | null;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  costUsd: number;
  /** `ok` or an LlmFailureKind. */
  outcome: string;
  /** The final answer text (for replay); null on failure. */
  response: string | null;
}

export interface LlmCallRow extends NewLlmCall {
  id: number;
  createdAt: number;
}

export interface NewReview {
  sessionId: string;
  reviewer: string;
  verdict: 'approved' | 'changes_requested';
  comment?: string;
}

export interface ReviewRow extends NewReview {
  id: number;
  createdAt: number;
}

/** Everything one step writes, committed atomically. */
export interface StepCommit {
  /**
   * The platform event that caused this step: its dedupe row is written in the same transaction,
   * so a crash before the commit leaves the redelivery acting, and a repeat commits nothing.
   */
  inbound?: { id: string; platform: string };
  patch?: SessionPatch;
  events?: NewEvent[];
  outbox?: NewOutboxMessage[];
  scriptVersion?: NewScriptVersion;
  run?: NewRun;
  reviews?: NewReview[];
}

/** A file stored once per session by content hash. */
export interface BlobRow {
  id: number;
  sessionId: string | null;
  /** SHA-256 of the bytes, hex. */
  hash: string;
  /** The name it was first stored under. */
  name: string;
  size: number;
  bytes: Uint8Array;
  createdAt: number;
}

export interface StoredBlob {
  id: number;
  hash: string;
  size: number;
  /** False when the session already held the same bytes (deduplicated). */
  created: boolean;
}

/** Outbox rows by state, for /metrics. */
export interface OutboxBacklog {
  pending: number;
  sending: number;
  failed: number;
  /** Rows not yet delivered that have been tried more than once. */
  retrying: number;
  /** Extra delivery attempts over all rows still stored. */
  retries: number;
}

/** What retention deleted (or, in a dry run, would delete). */
export interface PruneCounts {
  /** Files of sessions ended before the cutoff. */
  blobs: number;
  /** Outbox rows delivered before the cutoff. */
  outbox: number;
  /** Inbound dedupe rows received before the cutoff. */
  inbound: number;
  /** Events before the cutoff of sessions ended before it. */
  events: number;
}

export interface UsageTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface SessionStore {
  /** Creates a session and its first step atomically. @throws StoreError if the thread already has one. */
  createSession(session: NewSession, step?: StepCommit): SessionRow;
  getSession(id: string): SessionRow | undefined;
  getSessionByThread(threadKey: string): SessionRow | undefined;
  /** Newest first. */
  listSessions(filter?: { ownerId?: string; limit?: number }): SessionRow[];
  /**
   * How many sessions `ownerId` has: with `active`, only those not ended (working or waiting);
   * with `since` (epoch ms), only those created at or after it.
   */
  countSessions(filter: { ownerId: string; active?: boolean; since?: number }): number;
  /** Sessions whose status is `working`, oldest update first. */
  listResumable(): SessionRow[];

  /**
   * Applies one step in one transaction: patch + version bump, events, outbox rows, script
   * version, run, reviews, and the inbound event's dedupe row.
   * @throws StaleSessionError (writing nothing) when the session is not at `expectedVersion`.
   * @throws DuplicateInboundError (writing nothing) when `step.inbound` is already recorded.
   */
  commit(sessionId: string, expectedVersion: number, step: StepCommit): SessionRow;

  /** Appends an audit event outside a step (e.g. a comment from a non-owner). */
  appendEvent(sessionId: string, event: NewEvent): void;
  listEvents(sessionId: string): EventRow[];

  /** Records an inbound platform event id; true when it was new (act on it), false for a repeat. */
  recordInbound(eventId: string, platform: string): boolean;
  /** True when the event id is recorded (handled before). */
  hasInbound(eventId: string): boolean;

  /** Enqueues outbox messages outside a step (e.g. replies to commands). */
  enqueue(sessionId: string | null, messages: NewOutboxMessage[]): void;
  /**
   * Claims up to `limit` deliverable rows: pending, due (`notBefore <= now`), and the oldest
   * undelivered row of their thread (so each thread is delivered in order); at most ONE row per
   * channel (`platform:channel:`) per call, the most urgent (see NewOutboxMessage.key), and urgent
   * threads first across channels. Claimed rows become `sending` (and block later rows of their thread
   * until marked sent or failed).
   */
  claimOutbox(
    now: number,
    limit: number,
    threadKeys?: readonly string[],
    options?: ClaimOptions,
  ): OutboxRow[];
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
  outboxBacklog(threadKeys?: readonly string[]): ChannelBacklog[];

  /** Stores file bytes once per session (by SHA-256); the same bytes again return the same id. */
  putBlob(sessionId: string | null, name: string, bytes: Uint8Array): StoredBlob;
  getBlob(id: number): BlobRow | undefined;
  /** Files and bytes a session holds (attachment caps). */
  blobUsage(sessionId: string): { count: number; bytes: number };

  recordLlmCall(call: NewLlmCall): void;
  /** The successful recorded call with this key, for replay. */
  findLlmCall(sessionId: string, callKey: string): LlmCallRow | undefined;
  listLlmCalls(sessionId: string): LlmCallRow[];
  usageTotals(sessionId: string): UsageTotals;

  listScriptVersions(sessionId: string): ScriptVersionRow[];
  listRuns(sessionId: string): RunRow[];
  listReviews(sessionId: string): ReviewRow[];
  /** Records a review verdict outside a step. */
  addReview(review: NewReview): void;

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
  outboxStates?(): OutboxBacklog;
  /**
   * Retention: deletes ended sessions' blobs and events, delivered outbox rows and dedupe rows
   * older than `cutoff` (epoch ms); keeps sessions, script versions, runs and usage. `dryRun` counts only.
   */
  prune?(cutoff: number, options?: { dryRun?: boolean }): PruneCounts;
  /** Proves the database accepts a write (a rolled-back write transaction). @throws StoreError-like errors. */
  probeWrite?(): void;

  close(): void;
}
