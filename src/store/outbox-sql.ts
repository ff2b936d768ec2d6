/**
 * The outbox's SQL (statements prepared once per connection by the SQLite store) and the rules it
 * encodes: claim order (thread order, one row per channel per claim, urgency), coalescing of
 * unsent edits, backlog per channel. See NewOutboxMessage and SessionStore.claimOutbox.
 */
import type Database from 'better-sqlite3';

/** SQL for the channel part of a thread key: `platform:channel:` (trailing colon included). */
const CHANNEL_OF = (column: string) =>
  `substr(${column}, 1, instr(${column}, ':') + instr(substr(${column}, instr(${column}, ':') + 1), ':'))`;

/** The outbox statements. */
export function prepareOutbox(db: Database.Database) {
  const q = (sql: string) => db.prepare(sql);
  return {
    insertOutbox: q(`INSERT INTO outbox (session_id, thread_key, key, payload, status, urgency, created_at)
      VALUES (?, ?, ?, ?, 'pending', ?, ?)`),
    // The oldest open row of each thread only, so a thread is delivered strictly in order; one
    // thread per channel, the most urgent (a thread is as urgent as its most urgent pending row).
    claimable: q(`WITH heads AS (
        SELECT o.*, ${CHANNEL_OF('o.thread_key')} AS channel,
          (SELECT MIN(p.urgency) FROM outbox p
            WHERE p.thread_key = o.thread_key AND p.status = 'pending') AS thread_urgency
        FROM outbox o
        WHERE o.status = 'pending' AND o.not_before <= @now
          AND (@threads IS NULL OR o.thread_key IN (SELECT value FROM json_each(@threads)))
          AND (@only IS NULL OR substr(o.thread_key, 1, length(@only)) = @only)
          AND NOT EXISTS (SELECT 1 FROM json_each(@skip) e
                          WHERE substr(o.thread_key, 1, length(e.value)) = e.value
                             OR '=' || o.thread_key = e.value)
          AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.thread_key = o.thread_key AND p.id < o.id
                          AND p.status IN ('pending', 'sending'))
      ), ranked AS (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY channel ORDER BY thread_urgency, id) AS rn FROM heads
        WHERE (thread_urgency = 0 OR NOT EXISTS (SELECT 1 FROM json_each(@answersOnly) e
                          WHERE substr(thread_key, 1, length(e.value)) = e.value
                             OR '=' || thread_key = e.value))
          AND (@edits = 'all' OR json_extract(payload, '$.replacesKey') IS NULL
               OR (@edits = 'answers' AND thread_urgency = 0))
      )
      SELECT * FROM ranked WHERE rn = 1 ORDER BY thread_urgency, id LIMIT @limit`),
    pendingEdits: q(`SELECT id, payload FROM outbox WHERE thread_key = ? AND key = ? AND status = 'pending'
      AND json_extract(payload, '$.replacesKey') = ?`),
    deleteOutbox: q('DELETE FROM outbox WHERE id = ?'),
    backlog: q(`SELECT ${CHANNEL_OF('thread_key')} AS channel, COUNT(*) AS n, MIN(created_at) AS oldest
      FROM outbox WHERE status IN ('pending', 'sending')
        AND (@threads IS NULL OR thread_key IN (SELECT value FROM json_each(@threads)))
      GROUP BY channel ORDER BY n DESC, channel`),
    markSending: q(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, not_before = ? WHERE id = ?`,
    ),
    requeueSending: q(`UPDATE outbox SET status = 'pending', maybe_sent = 1 WHERE status = 'sending'`),
    markSent: q(`UPDATE outbox SET status = 'sent', message_ref = ?, error = NULL, maybe_sent = 0, sent_at = ?
      WHERE id = ?`),
    markFailed: q(`UPDATE outbox SET status = 'failed', error = ? WHERE id = ?`),
    markRetry: q(`UPDATE outbox SET status = 'pending', error = ?, not_before = ?,
      maybe_sent = MAX(maybe_sent, ?) WHERE id = ?`),
    messageRefByKey: q(`SELECT message_ref FROM outbox WHERE thread_key = ? AND key = ? AND status = 'sent'
      AND (session_id = ? OR ? IS NULL) ORDER BY id DESC LIMIT 1`),
    lastSentRef: q(`SELECT message_ref FROM outbox WHERE thread_key = ? AND id < ? AND status = 'sent'
      AND message_ref IS NOT NULL ORDER BY id DESC LIMIT 1`),
    pendingCount: q(`SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')`),
    pendingCountIn: q(`SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')
      AND thread_key IN (SELECT value FROM json_each(?))`),
  };
}
