import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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
  readonly #lastWithButtons = new Map<string, DeliveredMessage>();
  readonly #listeners = new Set<(message: DeliveredMessage) => void>();
  #onEvent: ((event: ChatEvent) => Promise<void>) | null = null;
  #seq = 0;
  /** The ref of the last message printed, so a TTY can redraw a status update in place. */
  #lastPrinted: { messageId: string; lines: number } | null = null;

  constructor(options: TerminalAdapterOptions) {
    this.#options = options;
    this.platform = options.platform ?? 'terminal';
    this.#spinner = createSpinner({ write: options.write, enabled: options.live && options.mode === 'text' });
  }

  async start(onEvent: (event: ChatEvent) => Promise<void>): Promise<void> {
    this.#onEvent = onEvent;
  }

  async stop(): Promise<void> {
    this.#onEvent = null;
    this.#spinner.hide();
  }

  /** Hands a person's input to the router, as any other platform would. */
  async emit(event: ChatEvent): Promise<void> {
    if (!this.#onEvent) throw new Error('terminal adapter is not started');
    await this.#onEvent(event);
  }

  /** The most recent message in this thread that offered buttons (and still does). */
  lastPrompt(thread: ThreadRef): DeliveredMessage | undefined {
    return this.#lastWithButtons.get(encodeThreadKey(thread));
  }

  /** Called for every delivered message (the driver tracks progress with it). */
  onDelivered(listener: (message: DeliveredMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Shows the working line (TTY only). */
  working(label: string | null): void {
    if (label === null) this.#spinner.hide();
    else this.#spinner.show(label);
  }

  /** Prints a line of the driver's own (prompts, usage, notices) in text mode; stderr-free. */
  note(text: string): void {
    if (this.#options.mode === 'json') return;
    this.#spinner.print(text);
    this.#lastPrinted = null;
  }

  async send(thread: ThreadRef, message: Outgoing): Promise<MessageRef> {
    const key = encodeThreadKey(thread);
    const replaced = message.replaces ? this.#delivered.get(message.replaces.messageId) : undefined;
    const messageId = replaced ? replaced.ref.messageId : String(++this.#seq);
    const ref: MessageRef = { platform: this.platform, channelId: thread.channelId, messageId };
    const files = this.#saveFiles(thread, message.files ?? []);
    const delivered: DeliveredMessage = {
      ref,
      thread,
      message,
      buttons: numberButtons(message.buttons),
      files,
    };
    this.#delivered.set(messageId, delivered);
    if (delivered.buttons.length > 0) this.#lastWithButtons.set(key, delivered);
    else if (this.#lastWithButtons.get(key)?.ref.messageId === messageId) this.#lastWithButtons.delete(key);

    if (this.#options.mode === 'json') this.#printJson(delivered, replaced);
    else this.#printText(delivered, replaced);
    for (const listener of this.#listeners) listener(delivered);
    return ref;
  }

  #printJson(d: DeliveredMessage, replaced: DeliveredMessage | undefined): void {
    const event = {
      type: 'message',
      session: this.#options.sessionIdFor(d.thread),
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
    // An edit that only takes the buttons away (a finished gate) adds nothing worth printing.
    if (replaced && replaced.message.text === d.message.text && d.files.length === 0) return;
    const text = renderMessage(d.message, d.files, {
      color: this.#options.color,
      width: this.#options.width,
    });
    if (!text) return;
    const inPlace = this.#options.live && replaced && this.#lastPrinted?.messageId === d.ref.messageId;
    if (inPlace && this.#lastPrinted) {
      // Move up over the previous rendering of this message and draw over it.
      this.#options.write(`\r\u001b[2K\u001b[${this.#lastPrinted.lines}A\u001b[0J`);
    } else if (this.#lastPrinted) {
      this.#spinner.print('');
    }
    this.#spinner.print(text);
    this.#lastPrinted = { messageId: d.ref.messageId, lines: text.split('\n').length };
  }

  #saveFiles(thread: ThreadRef, files: OutFile[]): SavedFile[] {
    if (files.length === 0) return [];
    const dir = join(this.#options.sessionsDir, safeName(this.#options.sessionIdFor(thread)));
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

/** A file name that cannot leave its folder. */
function safeName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[^\w.-]+/g, '_');
  return base === '' || base === '.' || base === '..' ? 'file' : base;
}
