/**
 * Button action ids: `ff2|<sessionId>|<action>|<slot>`. Slack returns the action_id verbatim with
 * the click (max 255 characters) and requires it unique within a message, hence the slot suffix;
 * the button's own data travels in the separate `value` field.
 */

const PREFIX = 'ff2';
const SEP = '|';
export const ACTION_ID_LIMIT = 255;

export interface DecodedActionId {
  sessionId: string;
  action: string;
}

/** Encodes a click target; `slot` (e.g. `0.1`) only keeps ids unique inside one message. */
export function encodeActionId(sessionId: string, action: string, slot: string): string {
  return [PREFIX, sessionId, action, slot].join(SEP).slice(0, ACTION_ID_LIMIT);
}

/** The inverse of encodeActionId (also accepts a modal callback id without slot); undefined for foreign ids. */
export function decodeActionId(id: string): DecodedActionId | undefined {
  const parts = id.split(SEP);
  if (parts[0] !== PREFIX || parts.length < 3) return undefined;
  const sessionId = parts[1] ?? '';
  const action = parts[2] ?? '';
  if (!action) return undefined;
  return { sessionId, action };
}

/** Matches every action_id / callback_id ff2 made, for Bolt listener registration. */
export const ACTION_ID_PATTERN = /^ff2\|/;
