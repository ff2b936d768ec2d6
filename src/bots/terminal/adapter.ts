import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { UsageTotals } from '../../store/types.js';
import type { ChatAdapter, ChatEvent, MessageRef, OutFile, Outgoing, Platform, ThreadRef } from '../types.js';
import { encodeThreadKey } from '../types.js';
import { type NumberedButton, numberButtons, renderMessage, type SavedFile } from './render.js';
import { createSpinner, type Spinner } from './spinner.js';

/**
 * The terminal front door as a ChatAdapter: messages the outbox delivers are printed (text or
 * one JSON object per message), attachments are written under `<sessionsDir>/<session id>/`,
 * and the driver (`session.ts`) injects the person's answers as ChatEvents through `emit`.
 * It translates only; what to ask and when is the driver's business.
 */

export interface TerminalAdapterOptions {
  /** Standard output. */
  write: (text: string) => void;
  /** `json`: one JSON object per bot message on stdout (`--json-events`). */
  mode: 'text' | 'json';
  /** ANSI colour (stdout is a TTY). */
  color: boolean;
  /** Spinner and in-place status updates (stdout is a TTY, text mode). */
  live: boolean;
  /** `$FF2_DATA_DIR/sessions`. */
  sessionsDir: string;
  /** The session id a thread belongs to (names the attachment folder). */
  sessionIdFor: (thread: ThreadRef) => string;
  /**
   * The platform this adapter delivers for. `terminal` normally; a resumed Slack/Discord session
   * is mirrored in the terminal by an adapter that stands in for that platform.
   */
  platform?: Platform;
  /** Terminal width for rules. */
  width?: number;
  /** Writes an attachment; defaults to the real file system. */
  writeFile?: (path: string, bytes: Uint8Array) => void;
}

/** A delivered message, as the driver needs it to prompt. */
export interface DeliveredMessage {
  ref: MessageRef;
  /** Order of first delivery in this process (1, 2, …); an edit keeps its message's seq. */
  seq: number;
  thread: ThreadRef;
  message: Outgoing;
  buttons: NumberedButton[];
  files: SavedFile[];
}

export class TerminalAdapter implements ChatAdapter {
  readonly platform: Platform;
  readonly #options: TerminalAdapterOptions;
  readonly #spinner: Spinner;
  readonly #delivered = new Map<string, DeliveredMessage>();
  readonly #byThread = new Map<string, DeliveredMessage[]>();
  /** Message ids are unique per process, so a ref stored by an earlier process never matches. */
  readonly #run = Math.random().toString(36).slice(2, 8);
  #onEvent: ((event: ChatEvent) => Promise<void>) | null = null;
  #seq = 0;
  /** Buttons numbered since the person last answered: choices count on across messages. */
  #numbered = 0;
  /** The latest stage progress ("⏳ Writing the code: section 3/7 …"), shown by the spinner. */
  #progress: string | null = null;
  /** The last message printed, so a TTY can redraw a status update in place. */
  #lastPrinted: { messageId: string; lines: number } | null = null;

  constructor(options: TerminalAdapterOptions) {
    this.#options = options;
    this.platform = options.platform ?? 'terminal';
    this.#spinner = createSpinner({
      write: options.write,
      enabled: options.live && options.mode === 'text',
      width: options.width ?? 80,
    });
  }

  async start(onEvent: (event: ChatEvent) => Promise<void>): Promise<void> {
    this.#onEvent = onEvent;
  }

  async stop(): Promise<void> {
    this.#onEvent = null;
    this.#spinner.hide();
  }

  /**
   * Hands a person's input to the router, as any other platform would. Choices printed after it
   * are numbered from 1 again.
   */
  async emit(event: ChatEvent): Promise<void> {
    if (!this.#onEvent) throw new Error('terminal adapter is not started');
    this.#numbered = 0;
    await this.#onEvent(event);
  }

  /** The seq of the newest message delivered so far (0 before any). */
  latestSeq(): number {
    return this.#seq;
  }

  /**
   * Messages delivered after `sinceSeq` that still offer buttons, oldest first. Of messages
   * offering the very same choices (a repeated "Use your defaults / Cancel"), only the newest.
   */
  openPrompts(thread: ThreadRef, sinceSeq = 0): DeliveredMessage[] {
    const open = (this.#byThread.get(encodeThreadKey(thread)) ?? []).filter(
      (d) => d.seq > sinceSeq && d.buttons.length > 0,
    );
    const signature = (d: DeliveredMessage) =>
      d.buttons.map((b) => `${b.action}\u0000${b.value ?? ''}`).join('\u0001');
    return open.filter((d, i) => !open.slice(i + 1).some((later) => signature(later) === signature(d)));
  }

  /** The most recent message in this thread that still offers buttons. */
  lastPrompt(thread: ThreadRef): DeliveredMessage | undefined {
    return this.openPrompts(thread).at(-1);
  }

  /** Shows the working line (TTY only) with the latest progress, or hides it (`null`). */
  working(label: string | null): void {
    if (label === null) {
      this.#progress = null;
      this.#spinner.hide();
    } else this.#spinner.show(this.#progress ?? label);
  }

  /** Prints a line of the driver's own (usage, notices, replies) in text mode. */
  note(text: string): void {
    if (this.#options.mode === 'json') return;
    this.#spinner.print(text);
    this.#lastPrinted = null;
  }

  /** The session's model usage so far: a dim line in text mode, a `usage` object in JSON. */
  usage(totals: UsageTotals, line: string): void {
    if (this.#options.mode === 'json')
      this.#options.write(`${JSON.stringify({ type: 'usage', ...totals })}\n`);
    else this.note(line);
  }

  /** A reply only this person sees (ChatEvent.respond): a line in text mode, an object in JSON. */
  async reply(text: string): Promise<void> {
    if (this.#options.mode === 'json') this.#options.write(`${JSON.stringify({ type: 'reply', text })}\n`);
    else this.note(text);
  }

  async send(thread: ThreadRef, message: Outgoing): Promise<MessageRef> {
    const key = encodeThreadKey(thread);
    const replaced = message.replaces ? this.#delivered.get(message.replaces.messageId) : undefined;
    const messageId = replaced ? replaced.ref.messageId : `${this.#run}.${this.#seq + 1}`;
    const seq = replaced ? replaced.seq : ++this.#seq;
    const ref: MessageRef = { platform: this.platform, channelId: thread.channelId, messageId };
    const files = this.#saveFiles(thread, message);
    // An edit keeps its numbers; a new message continues from the choices printed before it.
    const offset = replaced ? (replaced.buttons[0]?.n ?? 1) - 1 : this.#numbered;
    const buttons = numberButtons(message.buttons, offset);
    if (!replaced) this.#numbered += buttons.length;
    const delivered: DeliveredMessage = { ref, seq, thread, message, buttons, files };
    this.#delivered.set(messageId, delivered);
    const list = this.#byThread.get(key) ?? [];
    const at = list.findIndex((d) => d.ref.messageId === messageId);
    if (at >= 0) list[at] = delivered;
    else list.push(delivered);
    this.#byThread.set(key, list);

    if (this.#options.mode === 'json') this.#printJson(delivered, replaced);
    else this.#printText(delivered, replaced);
    return ref;
  }

  #printJson(d: DeliveredMessage, replaced: DeliveredMessage | undefined): void {
    const event = {
      type: 'message',
      session: d.message.sessionId ?? this.#options.sessionIdFor(d.thread),
      id: d.ref.messageId,
      replaces: replaced ? replaced.ref.messageId : null,
      title: d.message.title ?? null,
      text: d.message.text,
      buttons: d.buttons.map(({ n, action, label, value }) => ({ n, action, label, value: value ?? null })),
      files: d.files,
    };
    this.#options.write(`${JSON.stringify(event)}\n`);
  }

  #printText(d: DeliveredMessage, replaced: DeliveredMessage | undefined): void {
    // On a TTY, stage progress lives in the spinner line rather than scrolling past.
    if (this.#options.live && isProgress(d.message)) {
      this.#progress = d.message.text.replace(/^⏳\s*/, '');
      this.#spinner.show(this.#progress);
      return;
    }
    if (this.#progress !== null) {
      this.#progress = null;
      this.#spinner.show('working…');
    }
    // An edit that only takes the buttons away (a finished gate) adds nothing worth printing; one
    // that also appends the choice made prints just that line rather than the whole message again.
    const inPlace = this.#options.live && replaced && this.#lastPrinted?.messageId === d.ref.messageId;
    const added =
      replaced && !inPlace && d.files.length === 0
        ? appended(replaced.message.text, d.message.text)
        : undefined;
    if (added !== undefined) {
      if (added) this.note(added);
      return;
    }
    const options = { color: this.#options.color, width: this.#options.width };
    const text = renderMessage(d.message, d.files, options, d.buttons);
    if (!text) return;
    if (inPlace && this.#lastPrinted) {
      // Move up over the previous rendering of this message and draw over it.
      this.#options.write(`\r\u001b[2K\u001b[${this.#lastPrinted.lines}A\u001b[0J`);
    } else if (this.#lastPrinted) {
      this.#spinner.print('');
    }
    this.#spinner.print(text);
    this.#lastPrinted = { messageId: d.ref.messageId, lines: text.split('\n').length };
  }

  #saveFiles(thread: ThreadRef, message: Outgoing): SavedFile[] {
    const files: OutFile[] = message.files ?? [];
    if (files.length === 0) return [];
    const session = message.sessionId ?? this.#options.sessionIdFor(thread);
    const dir = join(this.#options.sessionsDir, safeName(session));
    const write =
      this.#options.writeFile ??
      ((path: string, bytes: Uint8Array) => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path, bytes);
      });
    return files.map((f) => {
      const path = join(dir, safeName(f.name));
      write(path, f.bytes);
      return { name: f.name, path, bytes: f.bytes.byteLength };
    });
  }
}

/** The line an edit appended to a message (whose text it kept, or cut short with '…'); undefined for other edits. */
function appended(before: string, after: string): string | undefined {
  if (after.startsWith(before)) return after.slice(before.length).trim();
  const cut = after.lastIndexOf('\n\n');
  if (cut > 0 && before.startsWith(after.slice(0, cut).replace(/…$/, ''))) return after.slice(cut + 2).trim();
  return undefined;
}

/** A file name that cannot leave its folder. */
function safeName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[^\w.-]+/g, '_');
  return base === '' || base === '.' || base === '..' ? 'file' : base;
}

/** A stage's status line: one line of text starting with ⏳, nothing else. */
function isProgress(message: Outgoing): boolean {
  return (
    message.text.startsWith('⏳') &&
    !message.text.includes('\n') &&
    !message.title &&
    !message.buttons?.length &&
    !message.files?.length
  );
}
