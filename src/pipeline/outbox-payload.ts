/**
 * The JSON stored in an outbox row: a Draft with file bytes as base64, decoded by the chat edge
 * (`bots/render.ts`). Keys name messages within a session so later rows can edit them.
 */
import type { Draft, DraftButton } from './types.js';

export interface OutboxPayload {
  text: string;
  title?: string;
  buttons?: DraftButton[][];
  files?: { name: string; mime?: string; base64: string }[];
  /** Edit the message stored under this key (when it was delivered). */
  replacesKey?: string;
  /** With replacesKey: drop the message when there is nothing to edit (status finalisers). */
  replaceOnly?: boolean;
  sessionId?: string;
}

export function toPayload(draft: Draft, sessionId: string): OutboxPayload {
  const payload: OutboxPayload = { text: draft.text, sessionId };
  if (draft.title) payload.title = draft.title;
  if (draft.buttons) payload.buttons = draft.buttons;
  if (draft.replaces) payload.replacesKey = draft.replaces;
  if (draft.files) {
    payload.files = draft.files.map((f) => ({
      name: f.name,
      ...(f.mime ? { mime: f.mime } : {}),
      base64: Buffer.from(f.bytes ?? new TextEncoder().encode(f.text ?? '')).toString('base64'),
    }));
  }
  return payload;
}
