import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DuplicateInboundError, LeaseHeldError, StaleSessionError, StoreError } from '../errors.js';
import { BlobTable } from './blobs.js';
import { OpsQueries } from './ops.js';
import { closesButtons, prepareOutbox } from './outbox-sql.js';
import {
  parseJson,
  type SessionRecord,
  toLlmCall,
  toOutbox,
  toReview,
  toRun,
  toScriptVersion,
  toSession,
} from './rows.js';
import { migrate } from './schema.js';
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

  constructor(db: Database.Database, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#s = prepare(db);
    this.#blobs = new BlobTable(db);
    this.#ops = new OpsQueries(db);
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
        return this.#applyStep(session.id, 0, step, now);
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
    return this.#db.transaction(() => this.#applyStep(sessionId, expectedVersion, step, now)).immediate();
  }

  /** The body of every step: version guard first, so a stale step writes nothing. */
  #applyStep(sessionId: string, expectedVersion: number, step: StepCommit, now: number): SessionRow {
    const p = step.patch ?? {};
    const updated = this.#s.updateSession.run({
      id: sessionId,
      expected: expectedVersion,
      stage: p.stage ?? null,
      status: p.status ?? null,
      goal: p.goal ?? null,
      state: p.state === undefined ? null : JSON.stringify(p.state),
      now,
    });
    if (updated.changes !== 1) {
      const actual = this.#s.sessionVersion.get(sessionId) as { version: number } | undefined;
      throw new StaleSessionError(sessionId, expectedVersion, actual?.version);
    }
    if (step.inbound && this.#s.insertInbound.run(step.inbound.id, step.inbound.platform, now).changes !== 1)
      throw new DuplicateInboundError(step.inbound.id);
    for (const event of step.events ?? []) this.#insertEvent(sessionId, event, now);
    this.#insertOutbox(sessionId, step.outbox ?? [], now);
    if (step.scriptVersion) {
      const next = (this.#s.lastScriptNumber.get(sessionId) as { n: number | null }).n ?? 0;
      this.#s.insertScriptVersion.run({ sessionId, number: next + 1, ...step.scriptVersion, now });
    }
    if (step.run) {
      const r = step.run;
      this.#s.insertRun.run({
        sessionId,
        version: r.version,
        status: r.status,
        exitCode: r.exitCode,
        durationMs: Math.round(r.durationMs),
        result: JSON.stringify(r.result ?? null),
        now,
      });
    }
    for (const review of step.reviews ?? []) this.#insertReview(review, now);
    return toSession(this.#s.sessionById.get(sessionId) as SessionRecord);
  }

  appendEvent(sessionId: string, event: NewEvent): void {
    this.#insertEvent(sessionId, event, this.#now());
  }

  listEvents(sessionId: string): EventRow[] {
    return (this.#s.eventsBySession.all(sessionId) as Record<string, unknown>[]).map((r) => ({
      id: r.id as number,
      sessionId: r.session_id as string,
      type: r.type as string,
      ...(r.actor == null ? {} : { actor: r.actor as string }),
      data: parseJson(r.data as string | null),
      createdAt: r.created_at as number,
    }));
  }

  hasInbound(eventId: string): boolean {
    return this.#s.hasInbound.get(eventId) !== undefined;
  }

  recordInbound(eventId: string, platform: string): boolean {
    return this.#s.insertInbound.run(eventId, platform, this.#now()).changes === 1;
  }

  enqueue(sessionId: string | null, messages: NewOutboxMessage[]): void {
    const now = this.#now();
    this.#db.transaction(() => this.#insertOutbox(sessionId, messages, now)).immediate();
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
    this.#insertReview(review, this.#now());
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

  #insertEvent(sessionId: string, event: NewEvent, now: number): void {
    this.#s.insertEvent.run(
      sessionId,
      event.type,
      event.actor ?? null,
      event.data === undefined ? null : JSON.stringify(event.data),
      now,
    );
  }

  #insertOutbox(sessionId: string | null, messages: NewOutboxMessage[], now: number): void {
    const answer = messages.some(closesButtons);
    for (const m of messages) {
      const coalesced = m.key ? this.#coalesce(m.threadKey, m.key, m.payload) : m.payload;
      const payload = this.#blobs.deflate(sessionId, coalesced, now);
      const urgency = m.key?.startsWith('status:') ? 2 : answer ? 0 : 1;
      this.#s.insertOutbox.run(sessionId, m.threadKey, m.key ?? null, JSON.stringify(payload), urgency, now);
    }
  }

  /** Drops unsent edits of the same message that this one supersedes (see NewOutboxMessage.key). */
  #coalesce(threadKey: string, key: string, payload: unknown): unknown {
    if (!payload || typeof payload !== 'object') return payload;
    const p = payload as { replacesKey?: unknown; replaceOnly?: unknown };
    if (p.replacesKey !== key) return payload;
    const older = this.#s.pendingEdits.all(threadKey, key, key) as { id: number; payload: string }[];
    if (older.length === 0) return payload;
    let posts = false;
    for (const row of older) {
      this.#s.deleteOutbox.run(row.id);
      const prev = parseJson(row.payload) as { replaceOnly?: unknown } | null;
      if (!prev?.replaceOnly) posts = true;
    }
    if (!posts || !p.replaceOnly) return payload;
    const { replaceOnly: _dropped, ...rest } = p;
    return rest;
  }

  #insertReview(review: NewReview, now: number): void {
    this.#s.insertReview.run(review.sessionId, review.reviewer, review.verdict, review.comment ?? null, now);
  }
}

/** Every statement, prepared once per connection. */
function prepare(db: Database.Database) {
  const q = (sql: string) => db.prepare(sql);
  return {
    insertSession:
      q(`INSERT INTO sessions (id, thread_key, platform, owner_id, goal, stage, status, version, state, created_at, updated_at)
      VALUES (@id, @threadKey, @platform, @ownerId, @goal, @stage, @status, @version, @state, @now, @now)`),
    // version + 1 only when still at the expected version: the optimistic guard.
    updateSession: q(`UPDATE sessions SET stage = COALESCE(@stage, stage), status = COALESCE(@status, status),
      goal = COALESCE(@goal, goal), state = COALESCE(@state, state), version = version + 1, updated_at = @now
      WHERE id = @id AND version = @expected`),
    sessionVersion: q('SELECT version FROM sessions WHERE id = ?'),
    sessionById: q('SELECT * FROM sessions WHERE id = ?'),
    sessionByThread: q('SELECT * FROM sessions WHERE thread_key = ?'),
    countSessions: q(`SELECT COUNT(*) AS n FROM sessions WHERE owner_id = @owner AND created_at >= @since
      AND (@active = 0 OR status IN ('working', 'waiting'))`),
    sessionsAll: q('SELECT * FROM sessions ORDER BY updated_at DESC, id LIMIT ?'),
    sessionsByOwner: q('SELECT * FROM sessions WHERE owner_id = ? ORDER BY updated_at DESC, id LIMIT ?'),
    resumable: q(`SELECT * FROM sessions WHERE status = 'working' ORDER BY updated_at, id`),
    insertEvent: q('INSERT INTO events (session_id, type, actor, data, created_at) VALUES (?, ?, ?, ?, ?)'),
    eventsBySession: q('SELECT * FROM events WHERE session_id = ? ORDER BY id'),
    hasInbound: q('SELECT 1 FROM inbound_events WHERE id = ?'),
    insertInbound: q('INSERT OR IGNORE INTO inbound_events (id, platform, received_at) VALUES (?, ?, ?)'),
    ...prepareOutbox(db),
    firstByKey: q('SELECT payload FROM outbox WHERE session_id = ? AND key = ? ORDER BY id LIMIT 1'),
    insertLlmCall:
      q(`INSERT INTO llm_calls (session_id, stage, call_key, provider, model, prompt_tokens, completion_tokens,
      latency_ms, cost_usd, outcome, response, created_at) VALUES (@sessionId, @stage, @callKey, @provider, @model,
      @promptTokens, @completionTokens, @latencyMs, @costUsd, @outcome, @response, @now)`),
    llmCallByKey: q(`SELECT * FROM llm_calls WHERE session_id = ? AND call_key = ? AND outcome = 'ok'
      ORDER BY id DESC LIMIT 1`),
    llmCallsBySession: q('SELECT * FROM llm_calls WHERE session_id = ? ORDER BY id'),
    usageTotals:
      q(`SELECT COUNT(*) AS calls, SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion,
      SUM(cost_usd) AS cost FROM llm_calls WHERE session_id = ?`),
    lastScriptNumber: q('SELECT MAX(number) AS n FROM script_versions WHERE session_id = ?'),
    insertScriptVersion: q(`INSERT INTO script_versions (session_id, number, reason, code, diff, created_at)
      VALUES (@sessionId, @number, @reason, @code, @diff, @now)`),
    scriptVersions: q('SELECT * FROM script_versions WHERE session_id = ? ORDER BY number'),
    insertRun: q(`INSERT INTO runs (session_id, version, status, exit_code, duration_ms, result, created_at)
      VALUES (@sessionId, @version, @status, @exitCode, @durationMs, @result, @now)`),
    runsBySession: q('SELECT * FROM runs WHERE session_id = ? ORDER BY id'),
    insertReview: q(
      'INSERT INTO reviews (session_id, reviewer, verdict, comment, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    reviewsBySession: q('SELECT * FROM reviews WHERE session_id = ? ORDER BY id'),
    leaseGet: q('SELECT holder, expires_at FROM leases WHERE name = ?'),
    leasePut: q(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`),
    leaseDelete: q('DELETE FROM leases WHERE name = ? AND holder = ?'),
  };
}
