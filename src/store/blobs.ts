/**
 * File bytes stored once per session by content hash (SHA-256). Session state and outbox rows
 * hold blob ids; outbox payload files are swapped to `{ blobId }` on insert and back to base64 on
 * read, so the chat edge sees the same payloads as before and the rows stay small.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { deflateFiles, filesOf, inflateFiles } from './outbox-rules.js';
import { toBlob } from './rows.js';
import type { BlobRow, StoredBlob } from './types.js';

export class BlobTable {
  readonly #put: Database.Statement;
  readonly #find: Database.Statement;
  readonly #get: Database.Statement;
  readonly #usage: Database.Statement;

  constructor(db: Database.Database) {
    this.#put = db.prepare(`INSERT INTO blobs (session_id, hash, name, size, bytes, origin, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    this.#find = db.prepare(
      `SELECT id, size FROM blobs WHERE coalesce(session_id, '') = coalesce(?, '') AND hash = ?`,
    );
    this.#get = db.prepare(
      'SELECT id, session_id, hash, name, size, bytes, created_at FROM blobs WHERE id = ?',
    );
    this.#usage = db.prepare(`SELECT COUNT(*) AS n, coalesce(SUM(size), 0) AS bytes FROM blobs
      WHERE session_id = ? AND origin = 'attachment'`);
  }

  /** Stores `bytes` for the session unless the same content is there already; either way returns its row. */
  put(
    sessionId: string | null,
    name: string,
    bytes: Uint8Array,
    now: number,
    origin: 'attachment' | 'outbox' = 'attachment',
  ): StoredBlob {
    const hash = createHash('sha256').update(bytes).digest('hex');
    const created =
      this.#put.run(sessionId, hash, name, bytes.byteLength, Buffer.from(bytes), origin, now).changes === 1;
    const row = this.#find.get(sessionId, hash) as { id: number; size: number };
    return { id: row.id, hash, size: row.size, created };
  }

  get(id: number): BlobRow | undefined {
    const r = this.#get.get(id) as Record<string, unknown> | undefined;
    return r && toBlob(r);
  }

  /** Attachment files and bytes a session holds so far (per-session caps; outgoing files not counted). */
  usage(sessionId: string): { count: number; bytes: number } {
    const r = this.#usage.get(sessionId) as { n: number; bytes: number };
    return { count: r.n, bytes: r.bytes };
  }

  /** An outbox payload with its files' bytes moved into blobs (by id). */
  deflate(sessionId: string | null, payload: unknown, now: number): unknown {
    const ids = (filesOf(payload) ?? []).map((f) =>
      f.base64 === undefined
        ? undefined
        : this.put(sessionId, f.name, Buffer.from(f.base64, 'base64'), now, 'outbox').id,
    );
    return deflateFiles(payload, ids);
  }

  /** The payload as the chat edge reads it: each `{ blobId }` file back to base64 (a missing blob is dropped). */
  inflate(payload: unknown): unknown {
    return inflateFiles(payload, (id) => this.get(id)?.bytes);
  }
}
