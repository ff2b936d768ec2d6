/**
 * The PostgreSQL store's work, run on its worker thread (worker.ts) with the real `pg` client:
 * one method per SessionStore call, each one round trip for the caller. A step is one transaction
 * (BEGIN, version-guarded UPDATE, inserts, COMMIT), so a stale or repeated step writes nothing.
 * `now` is the caller's clock, sent with every call.
 */
import type pg from 'pg';
import { DuplicateInboundError, StaleSessionError, StoreError } from '../../errors.js';
import {
  parseJson,
  type SessionRecord,
  toEvent,
  toLlmCall,
  toReview,
  toRun,
  toScriptVersion,
  toSession,
} from '../rows.js';
import type {
  NewEvent,
  NewLlmCall,
  NewOutboxMessage,
  NewReview,
  NewSession,
  PruneCounts,
  SessionRow,
  StepCommit,
} from '../types.js';
import { getBlob, putBlob } from './blobs.js';
import { holdLease, LEASE_SQL } from './leases.js';
import { claimOutbox, insertOutbox, OUTBOX_SQL, outboxBacklog } from './outbox.js';
import { prune } from './prune.js';
import { SQL } from './sql.js';

export class PgOps {
  readonly #db: pg.ClientBase;
  /** The caller's clock for the current call. */
  now = 0;
  /** The worker id commits are fenced by (leases.ts); undefined: no fencing (one process). */
  worker: string | undefined;
  /** The lease a worker takes on a session it creates. */
  leaseTtlMs = 30_000;

  constructor(db: pg.ClientBase) {
    this.#db = db;
  }

  async #rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.#db.query(sql, params)).rows;
  }

  /** Runs `fn` in one transaction; rolls back on any error. */
  async #tx<T>(fn: () => Promise<T>): Promise<T> {
    await this.#db.query('BEGIN');
    try {
      const result = await fn();
      await this.#db.query('COMMIT');
      return result;
    } catch (error) {
      await this.#db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  createSession(s: NewSession, step: StepCommit = {}): Promise<SessionRow> {
    return this.#tx(async () => {
      try {
        await this.#db.query(SQL.insertSession, [
          s.id,
          s.threadKey,
          s.platform,
          s.ownerId,
          s.goal,
          s.stage,
          s.status,
          JSON.stringify(s.state ?? null),
          this.now,
        ]);
      } catch (error) {
        throw new StoreError(`cannot create session ${s.id}: ${(error as Error).message}`, { cause: error });
      }
      return this.#applyStep(s.id, 0, step);
    });
  }

  commit(sessionId: string, expectedVersion: number, step: StepCommit): Promise<SessionRow> {
    return this.#tx(() => this.#applyStep(sessionId, expectedVersion, step));
  }

  /** The body of every step: version guard first, so a stale step writes nothing. */
  async #applyStep(sessionId: string, expected: number, step: StepCommit): Promise<SessionRow> {
    if (this.worker) await holdLease(this.#db, sessionId, this.worker, this.leaseTtlMs);
    const p = step.patch ?? {};
    const state = p.state === undefined ? null : JSON.stringify(p.state);
    const updated = await this.#rows(SQL.updateSession, [
      sessionId,
      expected,
      p.stage ?? null,
      p.status ?? null,
      p.goal ?? null,
      state,
      this.now,
    ]);
    if (updated.length !== 1) {
      const actual = (await this.#rows(SQL.sessionVersion, [sessionId]))[0]?.version as number | undefined;
      throw new StaleSessionError(sessionId, expected, actual);
    }
    const now = this.now;
    if (step.inbound) {
      const r = await this.#db.query(SQL.insertInbound, [step.inbound.id, step.inbound.platform, now]);
      if (r.rowCount !== 1) throw new DuplicateInboundError(step.inbound.id);
    }
    for (const event of step.events ?? []) await this.appendEvent(sessionId, event);
    await insertOutbox(this.#db, sessionId, step.outbox ?? [], now);
    if (step.scriptVersion) {
      const v = step.scriptVersion;
      const last = (await this.#rows(SQL.lastScriptNumber, [sessionId]))[0]?.n as number | null;
      await this.#db.query(SQL.insertScriptVersion, [
        sessionId,
        (last ?? 0) + 1,
        v.reason,
        v.code,
        v.diff,
        now,
      ]);
    }
    if (step.run) {
      const r = step.run;
      const result = JSON.stringify(r.result ?? null);
      const args = [sessionId, r.version, r.status, r.exitCode, Math.round(r.durationMs), result, now];
      await this.#db.query(SQL.insertRun, args);
    }
    for (const review of step.reviews ?? []) await this.addReview(review);
    // A session that stops working (waits for a person, or ended) is nobody's until its next event.
    const row = toSession(updated[0] as unknown as SessionRecord);
    if (this.worker && row.status !== 'working')
      await this.#db.query(LEASE_SQL.release, [sessionId, this.worker]);
    return row;
  }

  async getSession(id: string) {
    const r = (await this.#rows(SQL.sessionById, [id]))[0];
    return r && toSession(r as unknown as SessionRecord);
  }

  async getSessionByThread(threadKey: string) {
    const r = (await this.#rows(SQL.sessionByThread, [threadKey]))[0];
    return r && toSession(r as unknown as SessionRecord);
  }

  async listSessions(filter: { ownerId?: string; limit?: number } = {}) {
    const limit = filter.limit ?? 1000;
    const rows = filter.ownerId
      ? await this.#rows(SQL.sessionsByOwner, [filter.ownerId, limit])
      : await this.#rows(SQL.sessionsAll, [limit]);
    return (rows as unknown as SessionRecord[]).map(toSession);
  }

  async countSessions(filter: { ownerId: string; active?: boolean; since?: number }) {
    const args = [filter.ownerId, filter.since ?? 0, filter.active ? 1 : 0];
    return (await this.#rows(SQL.countSessions, args))[0]!.n as number;
  }

  async listResumable() {
    return ((await this.#rows(SQL.resumable)) as unknown as SessionRecord[]).map(toSession);
  }

  async appendEvent(sessionId: string, e: NewEvent) {
    const data = e.data === undefined ? null : JSON.stringify(e.data);
    await this.#db.query(SQL.insertEvent, [sessionId, e.type, e.actor ?? null, data, this.now]);
  }

  async listEvents(sessionId: string) {
    return (await this.#rows(SQL.eventsBySession, [sessionId])).map(toEvent);
  }

  async recordInbound(eventId: string, platform: string) {
    return (await this.#db.query(SQL.insertInbound, [eventId, platform, this.now])).rowCount === 1;
  }

  async hasInbound(eventId: string) {
    return (await this.#rows(SQL.hasInbound, [eventId])).length > 0;
  }

  enqueue(sessionId: string | null, messages: NewOutboxMessage[]) {
    return this.#tx(() => insertOutbox(this.#db, sessionId, messages, this.now));
  }

  claimOutbox(now: number, limit: number, threadKeys?: readonly string[], options = {}) {
    return claimOutbox(this.#db, now, limit, threadKeys, options, this.worker ?? null);
  }

  async requeueSending() {
    return (await this.#db.query(OUTBOX_SQL.requeueSending, [this.worker ?? null])).rowCount ?? 0;
  }

  async markSent(id: number, messageRef: unknown) {
    await this.#db.query(OUTBOX_SQL.markSent, [JSON.stringify(messageRef ?? null), this.now, id]);
  }

  async markFailed(id: number, error: string, retryAt?: number, maybeSent = false) {
    if (retryAt === undefined) await this.#db.query(OUTBOX_SQL.markFailed, [error, id]);
    else await this.#db.query(OUTBOX_SQL.markRetry, [error, retryAt, maybeSent ? 1 : 0, id]);
  }

  async lastSentRef(threadKey: string, beforeId: number) {
    const r = (await this.#rows(OUTBOX_SQL.lastSentRef, [threadKey, beforeId]))[0];
    return r ? parseJson(r.message_ref as string) : undefined;
  }

  async firstOutboxPayload(sessionId: string, key: string) {
    const r = (await this.#rows(SQL.firstByKey, [sessionId, key]))[0];
    return r ? parseJson(r.payload as string) : undefined;
  }

  async findMessageRef(sessionId: string | null, threadKey: string, key: string) {
    const r = (await this.#rows(OUTBOX_SQL.messageRefByKey, [threadKey, key, sessionId]))[0];
    return r ? parseJson(r.message_ref as string) : undefined;
  }

  async pendingOutbox(threadKeys?: readonly string[]) {
    return (await this.#rows(OUTBOX_SQL.pendingCount, [threadKeys ?? null]))[0]!.n as number;
  }

  outboxBacklog(threadKeys?: readonly string[]) {
    return outboxBacklog(this.#db, threadKeys);
  }

  putBlob(sessionId: string | null, name: string, bytes: Uint8Array) {
    return putBlob(this.#db, sessionId, name, bytes, this.now);
  }

  getBlob(id: number) {
    return getBlob(this.#db, id);
  }

  async blobUsage(sessionId: string) {
    const r = (await this.#rows(SQL.blobUsage, [sessionId]))[0]!;
    return { count: r.n as number, bytes: r.bytes as number };
  }

  async recordLlmCall(c: NewLlmCall) {
    await this.#db.query(SQL.insertLlmCall, [
      c.sessionId,
      c.stage,
      c.callKey,
      c.provider,
      c.model,
      c.promptTokens,
      c.completionTokens,
      Math.round(c.latencyMs),
      c.costUsd,
      c.outcome,
      c.response,
      this.now,
    ]);
  }

  async findLlmCall(sessionId: string, callKey: string) {
    const r = (await this.#rows(SQL.llmCallByKey, [sessionId, callKey]))[0];
    return r && toLlmCall(r);
  }

  async listLlmCalls(sessionId: string) {
    return (await this.#rows(SQL.llmCallsBySession, [sessionId])).map(toLlmCall);
  }

  async usageTotals(sessionId: string) {
    const r = (await this.#rows(SQL.usageTotals, [sessionId]))[0] as Record<string, number | null>;
    return {
      calls: r.calls ?? 0,
      promptTokens: r.prompt ?? 0,
      completionTokens: r.completion ?? 0,
      costUsd: r.cost ?? 0,
    };
  }

  async listScriptVersions(sessionId: string) {
    return (await this.#rows(SQL.scriptVersions, [sessionId])).map(toScriptVersion);
  }

  async listRuns(sessionId: string) {
    return (await this.#rows(SQL.runsBySession, [sessionId])).map(toRun);
  }

  async listReviews(sessionId: string) {
    return (await this.#rows(SQL.reviewsBySession, [sessionId])).map(toReview);
  }

  async addReview(r: NewReview) {
    await this.#db.query(SQL.insertReview, [r.sessionId, r.reviewer, r.verdict, r.comment ?? null, this.now]);
  }

  /**
   * Takes or renews lease `name` unless another holder has it unexpired (and is not `takeOver`,
   * the holder the caller found dead): then returns that holder instead.
   */
  leaseTry(name: string, holder: string, ttlMs: number, takeOver?: string) {
    return this.#tx(async () => {
      await this.#db.query(SQL.leaseEnsure, [name]);
      const row = (await this.#rows(SQL.leaseLock, [name]))[0] as { holder: string; expires_at: number };
      const other = row.holder !== '' && row.holder !== holder && row.expires_at > this.now;
      if (other && row.holder !== takeOver)
        return { held: { holder: row.holder, expiresAt: row.expires_at } };
      await this.#db.query(SQL.leasePut, [name, holder, this.now + ttlMs]);
      return { takenFrom: other ? row.holder : undefined };
    });
  }

  async releaseLease(name: string, holder: string) {
    await this.#db.query(SQL.leaseDelete, [name, holder]);
  }

  async sessionCounts() {
    const rows = await this.#rows(SQL.sessionCounts);
    return rows.map((r) => ({ stage: r.stage as string, status: r.status as string, count: r.n as number }));
  }

  async outboxStates() {
    return (await this.#rows(SQL.outboxStates))[0];
  }

  /** Retention (see store/ops.ts for SQLite): deletes or counts what aged out before `cutoff`, in one transaction. */
  prune(cutoff: number, dryRun: boolean): Promise<PruneCounts> {
    return this.#tx(() => prune(this.#db, cutoff, dryRun));
  }

  /** A write transaction that is rolled back (doctor). */
  async probeWrite() {
    await this.#db.query('BEGIN');
    try {
      await this.#db.query('CREATE TABLE ff2_probe (x integer)');
    } finally {
      await this.#db.query('ROLLBACK');
    }
  }
}
