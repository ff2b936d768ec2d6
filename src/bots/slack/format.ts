/**
 * Outgoing → Slack Block Kit. Every piece of text that came from a model or a person is escaped
 * (`&`, `<`, `>`), so it can neither ping `@channel`/`@here`/a user nor hide a link behind a label.
 * Limits: a section's text ≤ 3,000 characters, ≤ 50 blocks, ≈ 12,000 characters of block text;
 * longer text is cut and attached in full as a file.
 */
import type { Button, OutFile, Outgoing } from '../types.js';
import { encodeActionId } from './action-id.js';

export const SECTION_LIMIT = 3000;
export const MAX_BLOCKS = 50;
/** Total text kept in blocks before the rest moves to a file (Slack's practical cap is ≈ 13k). */
export const BLOCK_TEXT_LIMIT = 12_000;
const MAX_BUTTONS_PER_ROW = 25;
const LABEL_LIMIT = 75;
const VALUE_LIMIT = 2000;
/** Plain-text fallback (`text`) for notifications and clients without blocks. */
const FALLBACK_LIMIT = 3000;
/** Name of the file that carries the full text of a message too long for blocks. */
export const LONG_TEXT_FILE = 'message.md';

export interface SlackText {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: SlackText;
  value?: string;
  style?: 'primary' | 'danger';
}
export type SlackBlock =
  | { type: 'section'; text: SlackText }
  | { type: 'actions'; elements: SlackButton[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackPayload {
  /** Escaped fallback text. */
  text: string;
  blocks: SlackBlock[];
  /** Files to upload into the thread: the message's own, plus the full text when it was cut. */
  files: OutFile[];
}

/** Escapes the three characters Slack treats as control characters in message text. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<@U123>` for a real user id; anything else is escaped as text. */
export function mentionUser(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeText(userId);
}

/** Renders one Outgoing; `sessionId` is encoded into each button's action_id. */
export function formatMessage(message: Outgoing, sessionId: string): SlackPayload {
  const files = [...(message.files ?? [])];
  const buttonRows = (message.buttons ?? []).filter((row) => row.length > 0);
  const title = message.title ? `*${escapeText(oneLine(message.title))}*\n` : '';
  let body = escapeText(message.text);
  // Room for text: the block text budget, and the blocks left after the title and button rows.
  const rowBlocks = buttonRows.reduce((n, row) => n + Math.ceil(row.length / MAX_BUTTONS_PER_ROW), 0);
  const textBlocksAllowed = Math.max(1, MAX_BLOCKS - rowBlocks - 1);
  const budget = Math.min(BLOCK_TEXT_LIMIT, textBlocksAllowed * (SECTION_LIMIT - 10)) - title.length;
  if (body.length > budget) {
    files.push({
      name: LONG_TEXT_FILE,
      bytes: new TextEncoder().encode(message.text),
      mime: 'text/markdown',
    });
    body = `${cutAtEscape(body, budget - 60)}\n… (the full text is in ${LONG_TEXT_FILE})`;
  }
  const blocks: SlackBlock[] = splitSections(`${title}${body}`).map((text) => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
  }));
  buttonRows.forEach((row, r) => {
    for (let start = 0; start < row.length; start += MAX_BUTTONS_PER_ROW) {
      const elements = row
        .slice(start, start + MAX_BUTTONS_PER_ROW)
        .map((button, c) => renderButton(button, sessionId, `${r}.${start + c}`));
      if (blocks.length < MAX_BLOCKS) blocks.push({ type: 'actions', elements });
    }
  });
  const fallback = `${message.title ? `${oneLine(message.title)}: ` : ''}${message.text}`;
  return { text: cutAtEscape(escapeText(fallback), FALLBACK_LIMIT), blocks, files };
}

function renderButton(button: Button, sessionId: string, slot: string): SlackButton {
  const rendered: SlackButton = {
    type: 'button',
    action_id: encodeActionId(sessionId, button.action, slot),
    // plain_text is never parsed for mentions or links, so labels need no escaping.
    text: {
      type: 'plain_text',
      text: clip(oneLine(button.label) || button.action, LABEL_LIMIT),
      emoji: true,
    },
  };
  if (button.value !== undefined) rendered.value = button.value.slice(0, VALUE_LIMIT);
  if (button.style) rendered.style = button.style;
  return rendered;
}

/** Splits escaped text into section-sized pieces, preferring line breaks, never inside an entity. */
export function splitSections(text: string): string[] {
  const pieces: string[] = [];
  let rest = text.length > 0 ? text : ' ';
  while (rest.length > SECTION_LIMIT) {
    let cut = rest.lastIndexOf('\n', SECTION_LIMIT);
    if (cut < SECTION_LIMIT / 2) cut = safeCut(rest, SECTION_LIMIT);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  pieces.push(rest);
  return pieces;
}

/** Cuts escaped text to at most `limit` characters without splitting an `&amp;`-style entity. */
function cutAtEscape(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, safeCut(text, limit - 1))}…`;
}

function safeCut(text: string, limit: number): number {
  const amp = text.lastIndexOf('&', limit);
  if (amp >= 0 && amp > limit - 5 && text.indexOf(';', amp) >= limit) return amp;
  return limit;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
