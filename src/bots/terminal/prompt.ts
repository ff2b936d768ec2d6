import type { NumberedButton } from './render.js';

/**
 * Reading answers in the terminal: one line per prompt (works the same for a person typing and
 * for piped stdin), and turning a line into a button choice or a free-text reply.
 */

/** What a typed line means at a prompt. */
export type Answer =
  | { kind: 'button'; button: NumberedButton }
  | { kind: 'text'; text: string }
  | { kind: 'empty' }
  /** A number that matches no choice: ask again rather than send it as text. */
  | { kind: 'invalid'; reason: string };

/**
 * Resolves a line against the choices: a number 1..n selects that button; otherwise the label
 * (case-insensitive, surrounding quotes/brackets ignored), then the action name, then a unique
 * label prefix of at least 3 characters; anything else is free text.
 */
export function resolveAnswer(line: string, buttons: readonly NumberedButton[]): Answer {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  if (/^\[?\d+\]?$/.test(text) && buttons.length > 0) {
    const n = Number(text.replace(/[[\]]/g, ''));
    const button = buttons.find((b) => b.n === n);
    return button
      ? { kind: 'button', button }
      : { kind: 'invalid', reason: `choose a number from 1 to ${buttons.length}, or type a reply` };
  }
  const wanted = normalise(text);
  const byLabel =
    buttons.find((b) => normalise(b.label) === wanted) ?? buttons.find((b) => normalise(b.action) === wanted);
  if (byLabel) return { kind: 'button', button: byLabel };
  if (wanted.length >= 3) {
    const prefixed = buttons.filter((b) => normalise(b.label).startsWith(wanted));
    if (prefixed.length === 1) return { kind: 'button', button: prefixed[0]! };
  }
  return { kind: 'text', text };
}

function normalise(s: string): string {
  return s
    .trim()
    .replace(/^["'[(]+|["'\])]+$/g, '')
    .replace(/[_\s]+/g, ' ')
    .toLowerCase();
}

/** The prompt line shown before reading an answer. */
export function promptText(buttons: readonly NumberedButton[], freeText: boolean): string {
  if (buttons.length === 0) return '> ';
  const range = buttons.length === 1 ? '1' : `1-${buttons.length}`;
  return freeText ? `choose ${range} or type a reply > ` : `choose ${range} > `;
}

/** Reads one line at a time; `null` once the input has ended. */
export interface LineSource {
  next(): Promise<string | null>;
  /** Stops reading (detaches listeners; does not close the underlying stream). */
  close(): void;
}

/**
 * A LineSource over a byte stream. Lines that arrive before anyone asks are queued, so piped
 * input (all lines at once) is consumed one per prompt. End of input resolves every waiting and
 * later `next()` with `null` — a closed stdin can never hang a prompt.
 */
export function createLineSource(stream: NodeJS.ReadableStream): LineSource {
  const queue: string[] = [];
  const waiters: Array<(line: string | null) => void> = [];
  let buffer = '';
  let ended = false;

  const push = (line: string) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  };
  const onData = (chunk: Buffer | string) => {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      push(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  };
  const onEnd = () => {
    if (ended) return;
    if (buffer !== '') push(buffer.replace(/\r$/, ''));
    buffer = '';
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(null);
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('close', onEnd);
  stream.on('error', onEnd);

  return {
    next() {
      const line = queue.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.resolve(null);
      stream.resume();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onEnd);
      stream.pause();
      onEnd();
    },
  };
}
