/**
 * The PostgreSQL outbox: the same rules as the SQLite one (outbox-sql.ts, outbox-rules.ts), plus
 * what many workers need. A claim locks candidate heads `FOR UPDATE SKIP LOCKED` (never the same
 * row twice), and a channel is one lane across workers: its head is claimable only while no row
 * of that channel is in flight (`sending`), so a channel's messages go out one at a time and in
 * order whichever worker sends them (on Discord each thread is such a lane). Claims run one at a time under an advisory lock, so two
 * workers claiming together cannot both see a lane free. A claimed row records its worker, so a
 * restarting worker requeues only its own or dead workers' rows (requeueSending).
 */
import type pg from 'pg';
import { deflateFiles, filesOf, inflateFiles, isSelfEdit, supersede, urgencyOf } from '../outbox-rules.js';
import { toOutbox } from '../rows.js';
import type { ChannelBacklog, ClaimOptions, NewOutboxMessage, OutboxRow } from '../types.js';
import { blobBytes, putBlob } from './blobs.js';
import { CHANNEL_OF } from './sql.js';

/**
 * A delivery lane across workers: the channel, except on Discord, where each thread is a channel
 * of its own (with its own rate limit and pacing, see ChatAdapter.paceBy).
 */
const LANE_OF = (column: string) =>
  `CASE WHEN left(${column}, 8) = 'discord:' THEN ${column} ELSE ${CHANNEL_OF(column)} END`;

const CLAIM = `WITH heads AS MATERIALIZED (
    SELECT o.id, ${CHANNEL_OF('o.thread_key')} AS channel,
      (SELECT MIN(p.urgency) FROM outbox p
        WHERE p.thread_key = o.thread_key AND p.status = 'pending') AS thread_urgency,
      o.thread_key, (o.payload::jsonb ->> 'replacesKey') IS NOT NULL AS is_edit
    FROM outbox o
    WHERE o.status = 'pending' AND o.not_before <= $1
      AND ($3::text[] IS NULL OR o.thread_key = ANY($3::text[]))
      AND ($4::text IS NULL OR left(o.thread_key, length($4::text)) = $4::text)
      AND NOT EXISTS (SELECT 1 FROM unnest($5::text[]) AS e(v)
                      WHERE left(o.thread_key, length(e.v)) = e.v OR '=' || o.thread_key = e.v)
      AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.thread_key = o.thread_key AND p.id < o.id
                      AND p.status IN ('pending', 'sending'))
      AND NOT EXISTS (SELECT 1 FROM outbox q WHERE q.status = 'sending'
                      AND ${LANE_OF('q.thread_key')} = ${LANE_OF('o.thread_key')})
    FOR UPDATE OF o SKIP LOCKED
  ), ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY channel ORDER BY thread_urgency, id) AS rn FROM heads
    WHERE (thread_urgency = 0 OR NOT EXISTS (SELECT 1 FROM unnest($7::text[]) AS e(v)
                      WHERE left(thread_key, length(e.v)) = e.v OR '=' || thread_key = e.v))
      AND ($8::text = 'all' OR NOT is_edit OR ($8::text = 'answers' AND thread_urgency = 0))
  ), pick AS (
    SELECT id, thread_urgency FROM ranked WHERE rn = 1 ORDER BY thread_urgency, id LIMIT $2
  )
  UPDATE outbox SET status = 'sending', attempts = attempts + 1, not_before = $1, claimed_by = $6
  FROM pick WHERE outbox.id = pick.id
  RETURNING outbox.*, pick.thread_urgency`;

/** One advisory lock id for "a worker is claiming outbox rows". */
export const CLAIM_LOCK = 0x0ff2_0002;

const BACKLOG = `SELECT * FROM (
    SELECT ${CHANNEL_OF('thread_key')} AS channel, COUNT(*) AS n, MIN(created_at) AS oldest
    FROM outbox WHERE status IN ('pending', 'sending') AND ($1::text[] IS NULL OR thread_key = ANY($1::text[]))
    GROUP BY channel) b
  ORDER BY n DESC, channel COLLATE "C"`;

/** Inserts a batch of messages (inside the caller's transaction), coalescing superseded edits. */
export async function insertOutbox(
  db: pg.ClientBase,
  sessionId: string | null,
  messages: readonly NewOutboxMessage[],
  now: number,
): Promise<void> {
  for (const m of messages) {
    let payload = m.payload;
    if (isSelfEdit(m.key, payload)) {
      const older = await db.query(
        `SELECT id, payload FROM outbox WHERE thread_key = $1 AND key = $2 AND status = 'pending'`,
        [m.threadKey, m.key],
      );
      const next = supersede(m.key, payload, older.rows as { id: number; payload: string }[]);
      if (next.drop.length > 0) await db.query('DELETE FROM outbox WHERE id = ANY($1)', [next.drop]);
      payload = next.payload;
    }
    const stored = JSON.stringify(await deflate(db, sessionId, payload, now));
    await db.query(
      `INSERT INTO outbox (session_id, thread_key, key, payload, status, urgency, created_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6)`,
      [sessionId, m.threadKey, m.key ?? null, stored, urgencyOf(m, messages), now],
    );
  }
}

async function deflate(db: pg.ClientBase, sessionId: string | null, payload: unknown, now: number) {
  const ids: (number | undefined)[] = [];
  for (const f of filesOf(payload) ?? []) {
    ids.push(
      f.base64 === undefined
        ? undefined
        : (await putBlob(db, sessionId, f.name, Buffer.from(f.base64, 'base64'), now, 'outbox')).id,
    );
  }
  return deflateFiles(payload, ids);
}

export async function claimOutbox(
  db: pg.ClientBase,
  now: number,
  limit: number,
  threadKeys: readonly string[] | undefined,
  options: ClaimOptions,
  worker: string | null,
): Promise<OutboxRow[]> {
  await db.query('BEGIN');
  let r: pg.QueryResult;
  try {
    await db.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
    r = await db.query(CLAIM, [
      now,
      limit,
      threadKeys ?? null,
      options.only ?? null,
      options.skip ?? [],
      worker,
      options.answersOnly ?? [],
      options.edits ?? 'all',
    ]);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const rows = (r.rows as Record<string, unknown>[]).sort(
    (a, b) =>
      (a.thread_urgency as number) - (b.thread_urgency as number) || (a.id as number) - (b.id as number),
  );
  const out: OutboxRow[] = [];
  for (const raw of rows) {
    const row = toOutbox(raw);
    const bytes = await blobBytes(db, row.payload);
    out.push({ ...row, payload: inflateFiles(row.payload, (id) => bytes.get(id)) });
  }
  return out;
}

export async function outboxBacklog(
  db: pg.ClientBase,
  threadKeys: readonly string[] | undefined,
): Promise<ChannelBacklog[]> {
  const r = await db.query(BACKLOG, [threadKeys ?? null]);
  return r.rows.map((x) => ({ channel: x.channel, queued: x.n, oldestAt: x.oldest }));
}

export const OUTBOX_SQL = {
  // Rows left sending by this worker's previous life, by a worker no longer registered alive, or
  // by a process without a worker id ($1 null: every sending row, the one-process rule).
  requeueSending: `UPDATE outbox SET status = 'pending', maybe_sent = 1 WHERE status = 'sending'
    AND ($1::text IS NULL OR claimed_by IS NULL OR claimed_by = $1
      OR claimed_by NOT IN (SELECT id FROM workers WHERE expires_at > ff2_now_ms()))`,
  markSent: `UPDATE outbox SET status = 'sent', message_ref = $1, error = NULL, maybe_sent = 0, sent_at = $2
    WHERE id = $3`,
  markFailed: `UPDATE outbox SET status = 'failed', error = $1 WHERE id = $2`,
  markRetry: `UPDATE outbox SET status = 'pending', error = $1, not_before = $2,
    maybe_sent = GREATEST(maybe_sent, $3) WHERE id = $4`,
  messageRefByKey: `SELECT message_ref FROM outbox WHERE thread_key = $1 AND key = $2 AND status = 'sent'
    AND (session_id = $3 OR $3::text IS NULL) ORDER BY id DESC LIMIT 1`,
  lastSentRef: `SELECT message_ref FROM outbox WHERE thread_key = $1 AND id < $2 AND status = 'sent'
    AND message_ref IS NOT NULL ORDER BY id DESC LIMIT 1`,
  pendingCount: `SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')
    AND ($1::text[] IS NULL OR thread_key = ANY($1::text[]))`,
} as const;
