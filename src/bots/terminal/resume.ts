import { currentGateDrafts } from '../../pipeline/gate-message.js';
import type { Draft } from '../../pipeline/types.js';
import type { Outgoing } from '../types.js';

/**
 * What a waiting session asks (pipeline/gate-message.ts), for `ff2 chat --resume`, where the
 * gate's message was posted by an earlier process (or on another platform). Shown locally only:
 * nothing is queued or recorded.
 */
export function gateMessages(stage: string, rawState: unknown, sessionId: string): Outgoing[] {
  return currentGateDrafts(stage, rawState).map((d) => toLocal(d, sessionId));
}

function toLocal(draft: Draft, sessionId: string): Outgoing {
  const out: Outgoing = { text: draft.text, sessionId };
  if (draft.title) out.title = draft.title;
  if (draft.buttons) out.buttons = draft.buttons;
  const files = (draft.files ?? []).map((f) => ({
    name: f.name,
    bytes: f.bytes ?? new TextEncoder().encode(f.text ?? ''),
  }));
  if (files.length > 0) out.files = files;
  return out;
}
