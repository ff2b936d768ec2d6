/**
 * An in-memory ChatAdapter: records every message it is asked to send, lets tests inject events
 * (start a session, reply, click a button by its label, attach a file) and can fail sends on
 * demand. It stands in as an operator's own front door (platform "terminal"); one channel "C1" by default.
 */

import type {
  ActionEvent,
  ChatAdapter,
  ChatEvent,
  MessageRef,
  Outgoing,
  ThreadRef,
} from '../../src/bots/types.js';
import { AdapterError } from '../../src/errors.js';

export interface SentMessage {
  thread: ThreadRef;
  message: Outgoing;
  ref: MessageRef;
  /** True when this send edited an earlier message. */
  edit: boolean;
}

export class MemoryAdapter implements ChatAdapter {
  readonly platform = 'terminal' as const;
  readonly perChannelIntervalMs: number;
  readonly sent: SentMessage[] = [];
  /** What `respond` told each user, in order. */
  readonly responses: { user: string; text: string }[] = [];
  #onEvent: ((event: ChatEvent) => Promise<void>) | undefined;
  #next = 1;
  #eventSeq = 1;
  readonly #failures: Error[] = [];

  constructor(options: { perChannelIntervalMs?: number } = {}) {
    this.perChannelIntervalMs = options.perChannelIntervalMs ?? 0;
  }

  async start(onEvent: (event: ChatEvent) => Promise<void>): Promise<void> {
    this.#onEvent = onEvent;
  }

  async stop(): Promise<void> {
    this.#onEvent = undefined;
  }

  /** The next sends fail with these errors, in order. */
  failNext(...errors: Error[]): void {
    this.#failures.push(...errors);
  }

  /** A 429 with a retry hint, as adapters raise it. */
  static rateLimited(retryAfterMs = 10): AdapterError {
    return new AdapterError('terminal', 'rate limited', retryAfterMs, true);
  }

  async send(thread: ThreadRef, message: Outgoing): Promise<MessageRef> {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    const ref: MessageRef = message.replaces ?? {
      platform: 'terminal',
      channelId: thread.channelId,
      messageId: String(this.#next++),
    };
    this.sent.push({ thread, message, ref, edit: Boolean(message.replaces) });
    return ref;
  }

  thread(threadId = 't1', channelId = 'C1'): ThreadRef {
    return { platform: 'terminal', channelId, threadId };
  }

  /** Delivers an event as the platform would (awaiting the router). */
  async emit(event: ChatEvent): Promise<void> {
    if (!this.#onEvent) throw new Error('adapter not started');
    await this.#onEvent(event);
  }

  #base(user: string, threadId: string, id?: string) {
    return {
      id: id ?? `ev-${this.#eventSeq++}`,
      thread: this.thread(threadId),
      user: { id: user, name: user },
      respond: async (text: string) => {
        this.responses.push({ user, text });
      },
    };
  }

  startSession(goal: string, options: { user?: string; threadId?: string; id?: string } = {}): Promise<void> {
    return this.emit({
      ...this.#base(options.user ?? 'owner', options.threadId ?? 't1', options.id),
      kind: 'start',
      goal,
    });
  }

  say(text: string, options: { user?: string; threadId?: string; id?: string } = {}): Promise<void> {
    return this.emit({
      ...this.#base(options.user ?? 'owner', options.threadId ?? 't1', options.id),
      kind: 'message',
      text,
    });
  }

  attach(name: string, bytes: Uint8Array, options: { user?: string; threadId?: string } = {}): Promise<void> {
    return this.emit({
      ...this.#base(options.user ?? 'owner', options.threadId ?? 't1'),
      kind: 'file',
      name,
      bytes,
    });
  }

  /** The newest message (in `threadId`, or the channel when threadId is '') carrying a button labelled `label`. */
  findButton(
    label: string,
    threadId = 't1',
  ): { sent: SentMessage; action: string; value?: string } | undefined {
    for (let i = this.sent.length - 1; i >= 0; i--) {
      const sent = this.sent[i]!;
      if (sent.thread.threadId !== threadId) continue;
      for (const row of sent.message.buttons ?? []) {
        const button = row.find((b) => b.label === label);
        if (button)
          return {
            sent,
            action: button.action,
            ...(button.value !== undefined ? { value: button.value } : {}),
          };
      }
    }
    return undefined;
  }

  /** Clicks the newest button with this label. @throws when there is none. */
  async click(label: string, options: { user?: string; threadId?: string; id?: string } = {}): Promise<void> {
    const threadId = options.threadId ?? 't1';
    const found = this.findButton(label, threadId);
    if (!found)
      throw new Error(
        `no button "${label}" in thread ${threadId}; last: ${this.texts(threadId).slice(-2).join(' | ')}`,
      );
    const event: ActionEvent = {
      ...this.#base(options.user ?? 'owner', threadId, options.id),
      kind: 'action',
      sessionId: found.sent.message.sessionId ?? '',
      action: found.action,
      ...(found.value !== undefined ? { value: found.value } : {}),
      message: found.sent.ref,
    };
    await this.emit(event);
  }

  /** Texts of messages posted (not edits) in a thread. */
  texts(threadId = 't1'): string[] {
    return this.sent.filter((s) => s.thread.threadId === threadId && !s.edit).map((s) => s.message.text);
  }

  /** Every file posted in a thread. */
  files(threadId = 't1'): { name: string; text: string }[] {
    return this.sent
      .filter((s) => s.thread.threadId === threadId)
      .flatMap((s) => s.message.files ?? [])
      .map((f) => ({ name: f.name, text: new TextDecoder().decode(f.bytes) }));
  }
}
