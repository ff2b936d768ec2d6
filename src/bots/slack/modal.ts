/**
 * Buttons that first ask for text: a click opens a Slack modal (views.open with the click's
 * trigger_id, valid for 3 s), and its submission becomes the action event, with the text as value.
 * The modal carries where it came from in private_metadata.
 */
import { textFirst } from '../../pipeline/messages.js';
import { decodeActionId, encodeActionId } from './action-id.js';

const BLOCK = 'text';

/** Where the clicked button was. */
export interface ModalOrigin {
  channel: string;
  /** Thread ts, or '' for a channel message (the review card). */
  thread: string;
  /** The message that carried the button. */
  message: string;
  value?: string;
}

/** The views.open `view` for a button that asks for text first (pipeline textFirst); undefined for others. */
export function modalFor(sessionId: string, action: string, origin: ModalOrigin) {
  const modal = textFirst(action);
  if (!modal) return undefined;
  return {
    type: 'modal' as const,
    callback_id: encodeActionId(sessionId, action, 'modal'),
    private_metadata: JSON.stringify(origin),
    title: { type: 'plain_text' as const, text: modal.title },
    submit: { type: 'plain_text' as const, text: 'Send' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input' as const,
        block_id: BLOCK,
        label: { type: 'plain_text' as const, text: modal.label },
        element: { type: 'plain_text_input' as const, action_id: BLOCK, multiline: true, max_length: 3000 },
      },
    ],
  };
}

/** Reads a submitted ff2 modal; undefined when it is not one of ff2's. */
export function readModal(view: {
  callback_id: string;
  private_metadata: string;
  state: { values: Record<string, Record<string, { value?: string | null }>> };
}): { sessionId: string; action: string; origin: ModalOrigin; text: string } | undefined {
  const decoded = decodeActionId(view.callback_id);
  if (!decoded) return undefined;
  let origin: ModalOrigin;
  try {
    origin = JSON.parse(view.private_metadata) as ModalOrigin;
  } catch {
    return undefined;
  }
  if (typeof origin?.channel !== 'string' || typeof origin.thread !== 'string') return undefined;
  const text = view.state.values[BLOCK]?.[BLOCK]?.value ?? '';
  return { ...decoded, origin, text };
}
