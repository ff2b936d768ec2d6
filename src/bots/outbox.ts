/**
 * Delivers stored outgoing messages: in order per thread (the store hands out only the oldest
 * undelivered row of each thread), paced per channel, retried on 429/5xx with the platform's
 * retry hint, never lost (a row stays until marked sent or permanently failed) and never doubled
 * within one process. `replacesKey` becomes an edit of the message delivered under that key.
 */
import { AdapterError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OutboxRow, SessionStore } from '../store/types.js';
import { isMessageRef, parsePayload, toOutgoing } from './render.js';
import { type ChatAdapter, decodeThreadKey, type MessageRef, type Platform } from './types.js';

export interface OutboxConfig {
  store: SessionStore;
  adapters: readonly ChatAdapter[];
  logger: Logger;
  /** Epoch ms. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Rows claimed per round. Default 20. */
  batch?: number;
  /** Attempts before a row is failed for good. Default 8. */
  maxAttempts?: number;
  /** Idle poll interval in ms. Default 250. */
  pollMs?: number;
  /** Deliver only these threads' rows (`ff2 chat`); all rows when absent. */
  threadKeys?: readonly string[];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Outbox {
  readonly #store: SessionStore;
  readonly #adapters: Map<Platform, ChatAdapter>;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #batch: number;
  readonly #maxAttempts: number;
  readonly #pollMs: number;
  readonly #threadKeys: readonly string[] | undefined;
  /** When each channel last got a post (pacing). */
  readonly #lastPost = new Map<string, number>();
  /**
   * The tail of each channel's delivery chain. Channels deliver independently, so one channel's
   * pacing or retry wait never holds up another's messages.
   */
  readonly #lanes = new Map<string, Promise<void>>();
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #inFlight = 0;

  constructor(config: OutboxConfig) {
    this.#store = config.store;
    this.#adapters = new Map(config.adapters.map((a) => [a.platform, a]));
    this.#logger = config.logger;
    this.#now = config.now ?? Date.now;
    this.#sleep = config.sleep ?? realSleep;
    this.#batch = config.batch ?? 20;
    this.#maxAttempts = config.maxAttempts ?? 8;
    this.#pollMs = config.pollMs ?? 250;
    this.#threadKeys = config.threadKeys;
  }

  /** Starts the delivery loop. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Wakes the loop (new rows were committed). */
  kick(): void {
    this.#wake?.();
  }

  /** True while any claimed row is being delivered. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** Stops the loop after trying to drain for at most `drainMs`. */
  async stop(drainMs = 5000): Promise<void> {
    const deadline = this.#now() + drainMs;
    while (this.#running && this.#store.pendingOutbox(this.#threadKeys) > 0 && this.#now() < deadline) {
      this.kick();
      await this.#sleep(20);
    }
    this.#running = false;
    this.kick();
    await this.#loop;
    await Promise.all(this.#lanes.values());
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let claimed = 0;
      try {
        claimed = this.#dispatch();
      } catch (error) {
        this.#logger.error('outbox round failed', { error: String(error) });
      }
      if (claimed === 0 && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#pollMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  /** Claims what can go now and waits until every channel has delivered it. Returns rows claimed. */
  async deliverOnce(): Promise<number> {
    const claimed = this.#dispatch();
    await Promise.all(this.#lanes.values());
    return claimed;
  }

  /**
   * Claims up to the free share of the batch and appends each row to its channel's lane, without
   * waiting. Claimed rows are `sending`, so their threads' later rows stay queued until they finish.
   */
  #dispatch(): number {
    const free = this.#batch - this.#inFlight;
    if (free <= 0) return 0;
    const rows = this.#store.claimOutbox(this.#now(), free, this.#threadKeys);
    for (const row of rows) {
      const t = decodeThreadKey(row.threadKey);
      const channel = `${t.platform}:${t.channelId}`;
      this.#inFlight++;
      const lane = (this.#lanes.get(channel) ?? Promise.resolve())
        .then(() => this.#deliver(channel, row))
        .catch((error: unknown) => this.#logger.error('outbox delivery crashed', { error: String(error) }))
        .finally(() => {
          this.#inFlight--;
          if (this.#lanes.get(channel) === lane) this.#lanes.delete(channel);
          this.kick();
        });
      this.#lanes.set(channel, lane);
    }
    return rows.length;
  }

  async #deliver(channel: string, row: OutboxRow): Promise<void> {
    const thread = decodeThreadKey(row.threadKey);
    const adapter = this.#adapters.get(thread.platform);
    if (!adapter) {
      this.#store.markFailed(row.id, `no adapter for ${thread.platform}`);
      return;
    }
    try {
      const payload = parsePayload(row.payload);
      let replaces: MessageRef | undefined;
      if (payload.replacesKey) {
        const ref = this.#store.findMessageRef(row.sessionId, row.threadKey, payload.replacesKey);
        replaces = isMessageRef(ref) ? ref : undefined;
        if (!replaces && payload.replaceOnly) {
          this.#store.markFailed(row.id, 'nothing to edit');
          return;
        }
      }
      const interval = adapter.perChannelIntervalMs ?? 0;
      const wait = (this.#lastPost.get(channel) ?? -Infinity) + interval - this.#now();
      if (wait > 0) await this.#sleep(wait);
      const ref = await adapter.send(thread, toOutgoing(payload, replaces));
      this.#lastPost.set(channel, this.#now());
      this.#store.markSent(row.id, ref);
    } catch (error) {
      const retryable = !(error instanceof AdapterError) || error.retryable;
      const hint = error instanceof AdapterError ? error.retryAfterMs : undefined;
      if (retryable && row.attempts < this.#maxAttempts) {
        const backoff = hint ?? Math.min(30_000, 500 * 2 ** (row.attempts - 1));
        this.#store.markFailed(row.id, String(error), this.#now() + backoff);
        this.#logger.warn('outbox delivery will be retried', { id: row.id, attempts: row.attempts, backoff });
      } else {
        this.#store.markFailed(row.id, String(error));
        this.#logger.error('outbox delivery failed', { id: row.id, error: String(error) });
      }
    }
  }
}
