/**
 * Writes one step of the SQLite store (call inside a write transaction): the version guard first,
 * so a stale step writes nothing, then the dedupe row, events, outbox rows, script version, run
 * and reviews. Also the single-row writes the store makes outside steps.
 */
import { DuplicateInboundError, StaleSessionError } from '../errors.js';
import type { BlobTable } from './blobs.js';
import { isSelfEdit, supersede, urgencyOf } from './outbox-rules.js';
import { type SessionRecord, toSession } from './rows.js';
import type { prepare } from './sqlite-statements.js';
import type { NewEvent, NewOutboxMessage, NewReview, SessionRow, StepCommit } from './types.js';

export class SqliteStepWriter {
  readonly #s: ReturnType<typeof prepare>;
  readonly #blobs: BlobTable;

  constructor(statements: ReturnType<typeof prepare>, blobs: BlobTable) {
    this.#s = statements;
    this.#blobs = blobs;
  }

  /** The body of every step: version guard first, so a stale step writes nothing. */
  apply(sessionId: string, expectedVersion: number, step: StepCommit, now: number): SessionRow {
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
    for (const event of step.events ?? []) this.insertEvent(sessionId, event, now);
    this.insertOutbox(sessionId, step.outbox ?? [], now);
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
    for (const review of step.reviews ?? []) this.insertReview(review, now);
    return toSession(this.#s.sessionById.get(sessionId) as SessionRecord);
  }

  insertEvent(sessionId: string, event: NewEvent, now: number): void {
    this.#s.insertEvent.run(
      sessionId,
      event.type,
      event.actor ?? null,
      event.data === undefined ? null : JSON.stringify(event.data),
      now,
    );
  }

  insertOutbox(sessionId: string | null, messages: NewOutboxMessage[], now: number): void {
    for (const m of messages) {
      let payload = m.payload;
      if (isSelfEdit(m.key, payload)) {
        const older = this.#s.pendingEdits.all(m.threadKey, m.key, m.key) as {
          id: number;
          payload: string;
        }[];
        const next = supersede(m.key, payload, older);
        for (const id of next.drop) this.#s.deleteOutbox.run(id);
        payload = next.payload;
      }
      const stored = JSON.stringify(this.#blobs.deflate(sessionId, payload, now));
      this.#s.insertOutbox.run(sessionId, m.threadKey, m.key ?? null, stored, urgencyOf(m, messages), now);
    }
  }

  insertReview(review: NewReview, now: number): void {
    this.#s.insertReview.run(review.sessionId, review.reviewer, review.verdict, review.comment ?? null, now);
  }
}
