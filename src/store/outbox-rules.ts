/**
 * The outbox's rules that do not depend on the SQL dialect, shared by both engines: urgency of a
 * new row and coalescing of unsent edits (see NewOutboxMessage.key), and the swap of payload file
 * bytes for blob ids (see blobs.ts).
 */
import { parseJson } from './rows.js';
import type { NewOutboxMessage } from './types.js';

/**
 * An edit that closes a message's buttons ("✔ … chosen by …": `replaceOnly`, not a status line):
 * the step that wrote it answers a person, so all its messages are urgent (NewOutboxMessage.key).
 */
export function closesButtons(m: NewOutboxMessage): boolean {
  const p = m.payload as { replaceOnly?: unknown } | null;
  return Boolean(p && typeof p === 'object' && p.replaceOnly) && !m.key?.startsWith('status:');
}

/** 0 answers a person (the batch holds a button-closing edit), 1 other messages, 2 background progress. */
export function urgencyOf(m: NewOutboxMessage, batch: readonly NewOutboxMessage[]): number {
  if (m.key?.startsWith('status:')) return 2;
  return batch.some(closesButtons) ? 0 : 1;
}

/** True when `payload` edits its own message (`replacesKey` equals `key`): it may supersede older edits. */
export function isSelfEdit(key: string | undefined, payload: unknown): key is string {
  if (!key || !payload || typeof payload !== 'object') return false;
  return (payload as { replacesKey?: unknown }).replacesKey === key;
}

/**
 * Given the still-pending rows of the same thread and key (`older`, raw JSON payloads), which of
 * them the new self-edit supersedes (to delete) and the payload to insert instead: without
 * `replaceOnly` when a superseded row would have posted the message.
 */
export function supersede(
  key: string,
  payload: unknown,
  older: readonly { id: number; payload: string }[],
): { drop: number[]; payload: unknown } {
  const drop: number[] = [];
  let posts = false;
  for (const row of older) {
    const prev = parseJson(row.payload) as { replacesKey?: unknown; replaceOnly?: unknown } | null;
    if (prev?.replacesKey !== key) continue;
    drop.push(row.id);
    if (!prev.replaceOnly) posts = true;
  }
  const p = payload as { replaceOnly?: unknown };
  if (!posts || !p.replaceOnly) return { drop, payload };
  const { replaceOnly: _dropped, ...rest } = p;
  return { drop, payload: rest };
}

export interface PayloadFile {
  name: string;
  mime?: string;
  base64?: string;
  blobId?: number;
}

/** The files of an outbox payload, or undefined when it has none. */
export function filesOf(payload: unknown): PayloadFile[] | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const files = (payload as { files?: unknown }).files;
  return Array.isArray(files) && files.length > 0 ? (files as PayloadFile[]) : undefined;
}

/** The payload with each base64 file replaced by `{ blobId }` (`put` stores the bytes, returning the id). */
export function deflateFiles(payload: unknown, ids: readonly (number | undefined)[]): unknown {
  const files = filesOf(payload);
  if (!files) return payload;
  return {
    ...(payload as object),
    files: files.map((f, i) => {
      if (f.base64 === undefined) return f;
      const { base64: _bytes, ...rest } = f;
      return { ...rest, blobId: ids[i] };
    }),
  };
}

/** The payload with each `{ blobId }` file back to base64 (`bytesOf` undefined: the blob is gone, drop it). */
export function inflateFiles(payload: unknown, bytesOf: (id: number) => Uint8Array | undefined): unknown {
  const files = filesOf(payload);
  if (!files) return payload;
  const out: PayloadFile[] = [];
  for (const f of files) {
    if (f.blobId === undefined) {
      out.push(f);
      continue;
    }
    const bytes = bytesOf(f.blobId);
    if (!bytes) continue;
    const { blobId: _id, ...rest } = f;
    out.push({ ...rest, base64: Buffer.from(bytes).toString('base64') });
  }
  return { ...(payload as object), files: out };
}
