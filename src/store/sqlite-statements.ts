/** The SQLite store's statements (the outbox's are in outbox-sql.ts). */
import type Database from 'better-sqlite3';
import { prepareOutbox } from './outbox-sql.js';

/** Every statement, prepared once per connection. */
export function prepare(db: Database.Database) {
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
