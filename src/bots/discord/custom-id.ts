/**
 * Button and modal custom ids: `ff2|<sessionId>|<action>|<value>`. Discord caps a custom id at 100
 * characters and returns it verbatim with the click, so the id alone must say what was clicked.
 */

export const CUSTOM_ID_LIMIT = 100;
const PREFIX = 'ff2';
const SEP = '|';

export interface DecodedCustomId {
  sessionId: string;
  action: string;
  /** Undefined when the button carried no value. */
  value: string | undefined;
}

/**
 * Encodes a click target. Session ids and actions never contain `|`; a value that would push the id
 * past 100 characters is cut (returned in `truncated` so the caller can log it).
 */
export function encodeCustomId(
  sessionId: string,
  action: string,
  value?: string,
): { id: string; truncated: boolean } {
  const head = [PREFIX, sessionId, action].join(SEP);
  if (value === undefined)
    return { id: head.slice(0, CUSTOM_ID_LIMIT), truncated: head.length > CUSTOM_ID_LIMIT };
  const full = `${head}${SEP}${value}`;
  return { id: full.slice(0, CUSTOM_ID_LIMIT), truncated: full.length > CUSTOM_ID_LIMIT };
}

/** The inverse of encodeCustomId; undefined for ids ff2 did not make. */
export function decodeCustomId(id: string): DecodedCustomId | undefined {
  const parts = id.split(SEP);
  if (parts[0] !== PREFIX || parts.length < 3) return undefined;
  const [, sessionId = '', action = '', ...rest] = parts;
  if (!action) return undefined;
  return { sessionId, action, value: rest.length > 0 ? rest.join(SEP) : undefined };
}
