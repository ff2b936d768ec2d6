/** Blobs in PostgreSQL (bytea), stored once per session by SHA-256 as in the SQLite store (blobs.ts). */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { filesOf } from '../outbox-rules.js';
import { toBlob } from '../rows.js';
import type { BlobRow, StoredBlob } from '../types.js';
import { SQL } from './sql.js';

export async function putBlob(
  db: pg.ClientBase,
  sessionId: string | null,
  name: string,
  bytes: Uint8Array,
  now: number,
  origin: 'attachment' | 'outbox' = 'attachment',
): Promise<StoredBlob> {
  const hash = createHash('sha256').update(bytes).digest('hex');
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const put = await db.query(SQL.blobPut, [sessionId, hash, name, bytes.byteLength, data, origin, now]);
  const row = (await db.query(SQL.blobFind, [sessionId, hash])).rows[0] as { id: number; size: number };
  return { id: row.id, hash, size: row.size, created: put.rowCount === 1 };
}

export async function getBlob(db: pg.ClientBase, id: number): Promise<BlobRow | undefined> {
  const r = (await db.query(SQL.blobGet, [id])).rows[0];
  return r ? toBlob(r) : undefined;
}

/** The bytes of every blob an outbox payload refers to, by id (missing ones absent). */
export async function blobBytes(db: pg.ClientBase, payload: unknown): Promise<Map<number, Uint8Array>> {
  const ids = (filesOf(payload) ?? []).flatMap((f) => (f.blobId === undefined ? [] : [f.blobId]));
  const out = new Map<number, Uint8Array>();
  if (ids.length === 0) return out;
  const r = await db.query('SELECT id, bytes FROM blobs WHERE id = ANY($1)', [ids]);
  for (const row of r.rows) out.set(row.id as number, new Uint8Array(row.bytes as Buffer));
  return out;
}
