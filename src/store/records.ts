/** The rows the session store reads and writes (see SessionStore in types.ts). */

/** `working`: the runner owes a step (resumed on start). `waiting`: a person owes an event. */
export type SessionStatus = 'working' | 'waiting' | 'done' | 'cancelled' | 'failed';

export interface NewSession {
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
  /** Pipeline-owned state; validated by the pipeline when read. */
  state: unknown;
}

export interface SessionRow extends NewSession {
  /** Optimistic concurrency counter; +1 on every commit. */
  version: number;
  createdAt: number;
  updatedAt: number;
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

/** What `ff2 migrate` reports and applies (both engines). */
export interface MigrationPlan {
  /** The database's level before applying (0: empty). */
  current: number;
  /** The level this ff2 brings it to. */
  target: number;
  /** The migrations to apply, in order (version = the level each one reaches). */
  pending: { version: number; name: string }[];
}
