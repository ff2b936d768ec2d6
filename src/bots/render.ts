/**
 * Platform-neutral message building for delivery: decodes a stored outbox payload into an
 * Outgoing, and moves long text into a file attachment past a threshold so no platform limit
 * silently cuts a traceback or a script. Escaping and per-platform limits stay in each adapter.
 */
import { z } from 'zod';
import type { OutboxPayload } from '../pipeline/outbox-payload.js';
import type { MessageRef, Outgoing } from './types.js';

/** Text longer than this (characters) is shortened and attached in full as `message.txt`. */
export const INLINE_TEXT_LIMIT = 1800;

const buttonSchema = z.object({
  action: z.string(),
  label: z.string(),
  style: z.enum(['primary', 'danger']).optional(),
  value: z.string().optional(),
});

export const outboxPayloadSchema = z.object({
  text: z.string(),
  title: z.string().optional(),
  buttons: z.array(z.array(buttonSchema)).optional(),
  files: z.array(z.object({ name: z.string(), mime: z.string().optional(), base64: z.string() })).optional(),
  replacesKey: z.string().optional(),
  replaceOnly: z.boolean().optional(),
  sessionId: z.string().optional(),
});

/** Validates a stored payload. @throws ZodError for a corrupted row. */
export function parsePayload(raw: unknown): OutboxPayload {
  return outboxPayloadSchema.parse(raw) as OutboxPayload;
}

/** The message to send: files decoded, long text moved to an attachment, `replaces` resolved by the caller. */
export function toOutgoing(
  payload: OutboxPayload,
  replaces?: MessageRef,
  limit = INLINE_TEXT_LIMIT,
): Outgoing {
  const files = (payload.files ?? []).map((f) => ({
    name: f.name,
    bytes: new Uint8Array(Buffer.from(f.base64, 'base64')),
    ...(f.mime ? { mime: f.mime } : {}),
  }));
  let text = payload.text;
  if (text.length > limit) {
    files.push({ name: 'message.txt', bytes: new TextEncoder().encode(text), mime: 'text/plain' });
    text = `${text.slice(0, limit - 60).trimEnd()}\n… (the full text is attached as message.txt)`;
  }
  const out: Outgoing = { text };
  if (payload.title) out.title = payload.title;
  if (payload.buttons && payload.buttons.length > 0) out.buttons = payload.buttons;
  if (files.length > 0 && !replaces) out.files = files;
  if (replaces) out.replaces = replaces;
  if (payload.sessionId) out.sessionId = payload.sessionId;
  return out;
}

/** Whether a stored value looks like a MessageRef (findMessageRef returns unknown JSON). */
export function isMessageRef(value: unknown): value is MessageRef {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.platform === 'string' && typeof v.channelId === 'string' && typeof v.messageId === 'string';
}
