/**
 * Outgoing → Discord message body: content ≤ 2,000 characters (the rest becomes a file), at most
 * 5 rows × 5 buttons, files as attachments, and `allowed_mentions: { parse: [] }` on everything so
 * text written by a model or a user never pings anyone.
 */
import type { Button, Outgoing } from '../types.js';
import { encodeCustomId } from './custom-id.js';

export const CONTENT_LIMIT = 2000;
export const MAX_ROWS = 5;
export const MAX_BUTTONS_PER_ROW = 5;
export const MAX_FILES = 10;
const LABEL_LIMIT = 80;
/** Name of the attachment that carries a message too long for `content`. */
export const LONG_TEXT_FILE = 'message.md';

/** Discord component types and button styles (API numbers, so this file needs no SDK import). */
const ACTION_ROW = 1;
const BUTTON = 2;
const STYLE = { primary: 1, secondary: 2, danger: 4 } as const;

export interface DiscordButton {
  type: typeof BUTTON;
  style: number;
  label: string;
  custom_id: string;
}
export interface DiscordRow {
  type: typeof ACTION_ROW;
  components: DiscordButton[];
}
export interface DiscordFile {
  name: string;
  data: Buffer;
  contentType?: string;
}
export interface DiscordBody {
  content: string;
  components: DiscordRow[];
  allowed_mentions: { parse: [] };
  /** Set on edits that carry files: the new attachment list (replaces the old one). */
  attachments?: { id: number; filename: string }[];
}
export interface DiscordPayload {
  body: DiscordBody;
  files: DiscordFile[];
  /** Things that had to be cut to fit Discord's limits (for a warning log). */
  dropped: string[];
}

/**
 * Renders one Outgoing for Discord. `sessionId` is encoded into every button's custom id.
 * With `edit`, an empty button list still sends `components: []` so finished steps lose their buttons.
 */
export function formatMessage(message: Outgoing, sessionId: string, edit = false): DiscordPayload {
  const dropped: string[] = [];
  const text = message.title ? `**${message.title}**\n${message.text}` : message.text;
  const files: DiscordFile[] = (message.files ?? []).map((f) => ({
    name: f.name,
    data: Buffer.from(f.bytes),
    ...(f.mime ? { contentType: f.mime } : {}),
  }));
  let content = text;
  if (text.length > CONTENT_LIMIT) {
    content = preview(
      text,
      files.length > 0 ? `${LONG_TEXT_FILE} and the other attachments` : LONG_TEXT_FILE,
    );
    files.unshift({ name: LONG_TEXT_FILE, data: Buffer.from(text, 'utf8'), contentType: 'text/markdown' });
  }
  if (files.length > MAX_FILES) {
    for (const f of files.splice(MAX_FILES)) dropped.push(`file ${f.name}`);
  }
  const components = formatButtons(message.buttons ?? [], sessionId, dropped);
  const body: DiscordBody = { content, components, allowed_mentions: { parse: [] } };
  if (edit && files.length > 0) body.attachments = files.map((f, id) => ({ id, filename: f.name }));
  return { body, files, dropped };
}

/** The first lines of `text` that fit, with any open code fence closed, and a pointer to the file. */
export function preview(text: string, fileName: string): string {
  const note = `\n… (full text in ${fileName})`;
  const budget = CONTENT_LIMIT - note.length - 4; // room for a closing fence
  let cut = text.slice(0, budget);
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > budget / 2) cut = cut.slice(0, lastBreak);
  const fences = cut.match(/```/g)?.length ?? 0;
  if (fences % 2 === 1) cut += '\n```';
  return `${cut}${note}`;
}

/**
 * Rows as given while they fit 5×5; a row longer than 5 wraps onto the next row. Buttons that
 * would repeat a custom id (Discord rejects the whole message) or overflow 5 rows are dropped.
 */
export function formatButtons(rows: Button[][], sessionId: string, dropped: string[] = []): DiscordRow[] {
  const out: DiscordRow[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (let start = 0; start < row.length; start += MAX_BUTTONS_PER_ROW) {
      const components: DiscordButton[] = [];
      for (const button of row.slice(start, start + MAX_BUTTONS_PER_ROW)) {
        const { id, truncated } = encodeCustomId(sessionId, button.action, button.value);
        if (truncated) dropped.push(`value of ${button.action} cut to fit 100 characters`);
        if (seen.has(id)) {
          dropped.push(`duplicate button ${button.label}`);
          continue;
        }
        seen.add(id);
        components.push({
          type: BUTTON,
          style: STYLE[button.style ?? 'secondary'],
          label: truncate(button.label || button.action, LABEL_LIMIT),
          custom_id: id,
        });
      }
      if (components.length === 0) continue;
      if (out.length === MAX_ROWS) {
        for (const b of components) dropped.push(`button ${b.label}`);
        continue;
      }
      out.push({ type: ACTION_ROW, components });
    }
  }
  return out;
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
