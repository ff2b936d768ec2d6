/**
 * The PostgreSQL store's statements that differ from SQLite's only in dialect ($n parameters,
 * arrays instead of json_each, `COLLATE "C"` so text orders as in SQLite whatever the database's
 * locale). The outbox claim is in outbox.ts.
 */

/** SQL for the channel part of a thread key: `platform:channel:` (as outbox-sql.ts's CHANNEL_OF). */
export const CHANNEL_OF = (column: string) =>
  `coalesce(substring(${column} from '^[^:]*:[^:]*:'), substring(${column} from '^[^:]*:'), '')`;

export const SQL = {
  insertSession: `INSERT INTO sessions (id, thread_key, platform, owner_id, goal, stage, status, version, state,
    created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $9)`,
  // version + 1 only when still at the expected version: the optimistic guard.
  updateSession: `UPDATE sessions SET stage = COALESCE($3, stage), status = COALESCE($4, status),
    goal = COALESCE($5, goal), state = COALESCE($6, state), version = version + 1, updated_at = $7
    WHERE id = $1 AND version = $2 RETURNING *`,
  sessionVersion: 'SELECT version FROM sessions WHERE id = $1',
  sessionById: 'SELECT * FROM sessions WHERE id = $1',
  sessionByThread: 'SELECT * FROM sessions WHERE thread_key = $1',
  countSessions: `SELECT COUNT(*) AS n FROM sessions WHERE owner_id = $1 AND created_at >= $2
    AND ($3 = 0 OR status IN ('working', 'waiting'))`,
  sessionsAll: 'SELECT * FROM sessions ORDER BY updated_at DESC, id COLLATE "C" LIMIT $1',
  sessionsByOwner: `SELECT * FROM sessions WHERE owner_id = $1 ORDER BY updated_at DESC, id COLLATE "C"
    LIMIT $2`,
  resumable: `SELECT * FROM sessions WHERE status = 'working' ORDER BY updated_at, id COLLATE "C"`,
  insertEvent: 'INSERT INTO events (session_id, type, actor, data, created_at) VALUES ($1, $2, $3, $4, $5)',
  eventsBySession: 'SELECT * FROM events WHERE session_id = $1 ORDER BY id',
  hasInbound: 'SELECT 1 FROM inbound_events WHERE id = $1',
  insertInbound: `INSERT INTO inbound_events (id, platform, received_at) VALUES ($1, $2, $3)
    ON CONFLICT DO NOTHING`,
  firstByKey: 'SELECT payload FROM outbox WHERE session_id = $1 AND key = $2 ORDER BY id LIMIT 1',
  insertLlmCall: `INSERT INTO llm_calls (session_id, stage, call_key, provider, model, prompt_tokens,
    completion_tokens, latency_ms, cost_usd, outcome, response, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
  llmCallByKey: `SELECT * FROM llm_calls WHERE session_id = $1 AND call_key = $2 AND outcome = 'ok'
    ORDER BY id DESC LIMIT 1`,
  llmCallsBySession: 'SELECT * FROM llm_calls WHERE session_id = $1 ORDER BY id',
  usageTotals: `SELECT COUNT(*) AS calls, SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion,
    SUM(cost_usd) AS cost FROM llm_calls WHERE session_id = $1`,
  lastScriptNumber: 'SELECT MAX(number) AS n FROM script_versions WHERE session_id = $1',
  insertScriptVersion: `INSERT INTO script_versions (session_id, number, reason, code, diff, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)`,
  scriptVersions: 'SELECT * FROM script_versions WHERE session_id = $1 ORDER BY number',
  insertRun: `INSERT INTO runs (session_id, version, status, exit_code, duration_ms, result, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  runsBySession: 'SELECT * FROM runs WHERE session_id = $1 ORDER BY id',
  insertReview: `INSERT INTO reviews (session_id, reviewer, verdict, comment, created_at)
    VALUES ($1, $2, $3, $4, $5)`,
  reviewsBySession: 'SELECT * FROM reviews WHERE session_id = $1 ORDER BY id',
  leaseEnsure: `INSERT INTO leases (name, holder, expires_at) VALUES ($1, '', 0) ON CONFLICT DO NOTHING`,
  leaseLock: 'SELECT holder, expires_at FROM leases WHERE name = $1 FOR UPDATE',
  leasePut: 'UPDATE leases SET holder = $2, expires_at = $3 WHERE name = $1',
  leaseDelete: 'DELETE FROM leases WHERE name = $1 AND holder = $2',
  blobPut: `INSERT INTO blobs (session_id, hash, name, size, bytes, origin, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
  blobFind: `SELECT id, size FROM blobs WHERE coalesce(session_id, '') = coalesce($1, '') AND hash = $2`,
  blobGet: 'SELECT id, session_id, hash, name, size, bytes, created_at FROM blobs WHERE id = $1',
  blobUsage: `SELECT COUNT(*) AS n, coalesce(SUM(size), 0) AS bytes FROM blobs
    WHERE session_id = $1 AND origin = 'attachment'`,
  sessionCounts: 'SELECT stage, status, COUNT(*) AS n FROM sessions GROUP BY stage, status',
  outboxStates: `SELECT
      COUNT(*) FILTER (WHERE status = 'pending') AS pending,
      COUNT(*) FILTER (WHERE status = 'sending') AS sending,
      COUNT(*) FILTER (WHERE status = 'failed') AS failed,
      COUNT(*) FILTER (WHERE status IN ('pending', 'sending') AND attempts > 1) AS retrying,
      coalesce(SUM(CASE WHEN attempts > 1 THEN attempts - 1 ELSE 0 END), 0) AS retries
    FROM outbox`,
} as const;
