/**
 * Delivers stored outgoing messages: in order per thread (the store hands out only the oldest
 * undelivered row of each thread), retried on 429/5xx with the platform's retry hint, never lost
 * (a row stays until marked sent or permanently failed), and at most once visibly across crashes
 * (a row that may have gone out is looked for on the platform first; see store/types.ts).
 *
 * Scheduling: each channel has a token bucket for spacing (ChannelPacer); a channel without a
 * token is not claimed from, so its wait holds no slot, and a channel with tokens left may have
 * several threads' rows in flight at once. Each platform has `maxInFlight` slots and may have
 * platform-wide rates (LaneBudgets: Discord's requests per second, Slack's edits per minute).
 * Answers first: within a channel, threads holding a direct answer to a person go before threads
 * with only background progress (store claim order), and every bucket keeps tokens that only such
 * answers may use. `replacesKey` becomes an edit of the message delivered under that key.
 */
import { AdapterError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ChannelBacklog, OutboxRow, SessionStore } from '../store/types.js';
import { LaneBudgets } from './outbox-budgets.js';
import { ChannelPacer } from './outbox-pacing.js';
import { channelStats, LatencyWindow, type OutboxStats } from './outbox-stats.js';
import { isMessageRef, parsePayload, toOutgoing } from './render.js';
import { type ChatAdapter, decodeThreadKey, type MessageRef, type Outgoing, type Platform } from './types.js';

export type { OutboxStats } from './outbox-stats.js';

export interface OutboxConfig {
  store: SessionStore;
  adapters: readonly ChatAdapter[];
  logger: Logger;
  /** Epoch ms (row times in the store). */
  now?: () => number;
  /** Ms on a clock that only moves forward, for channel pacing. Default performance.now. */
  paceNow?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts before a row is failed for good. Default 8. */
  maxAttempts?: number;
  /** Idle poll interval in ms. Default 250. */
  pollMs?: number;
  /** Deliver only these threads' rows (`ff2 chat`); all rows when absent. */
  threadKeys?: readonly string[];
  /** A channel with at least this many unsent rows gets "catching up" in its status lines. Default 5. */
  catchingUpAt?: number;
}

interface PlatformLane {
  adapter: ChatAdapter;
  pacer: ChannelPacer;
  /** Platform-wide rates (`maxPerSecond`, `editsPerMinute`). */
  budgets: LaneBudgets;
  max: number;
  inFlight: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const DEFAULT_MAX_IN_FLIGHT = 10;
const BACKLOG_CACHE_MS = 500;

/** `platform:channel:` of a thread key. */
export function channelOf(threadKey: string): string {
  const t = decodeThreadKey(threadKey);
  return `${t.platform}:${t.channelId}:`;
}

/**
 * What one token bucket covers for this adapter, as a claim `skip` entry: the channel
 * (`platform:channel:`), or with paceBy thread the thread itself (`=` + thread key).
 */
function paceKey(adapter: ChatAdapter, threadKey: string): string {
  return adapter.paceBy === 'thread' ? `=${threadKey}` : channelOf(threadKey);
}

export class Outbox {
  readonly #store: SessionStore;
  readonly #lanes = new Map<Platform, PlatformLane>();
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #paceNow: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxAttempts: number;
  readonly #pollMs: number;
  readonly #threadKeys: readonly string[] | undefined;
  readonly #catchingUpAt: number;
  readonly #tasks = new Set<Promise<void>>();
  readonly #latency = new LatencyWindow();
  #delivered = 0;
  #failed = 0;
  #backlog: { at: number; rows: ChannelBacklog[] } | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(config: OutboxConfig) {
    this.#store = config.store;
    for (const adapter of config.adapters) {
      this.#lanes.set(adapter.platform, {
        adapter,
        pacer: new ChannelPacer(adapter.perChannelIntervalMs ?? 0, adapter.perChannelBurst ?? 1),
        budgets: new LaneBudgets(adapter),
        max: Math.max(1, adapter.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT),
        inFlight: 0,
      });
    }
    this.#logger = config.logger;
    this.#now = config.now ?? Date.now;
    this.#paceNow = config.paceNow ?? (() => performance.now());
    this.#sleep = config.sleep ?? realSleep;
    this.#maxAttempts = config.maxAttempts ?? 8;
    this.#pollMs = config.pollMs ?? 250;
    this.#threadKeys = config.threadKeys;
    this.#catchingUpAt = config.catchingUpAt ?? 5;
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
    return this.#tasks.size > 0;
  }

  /** Queue depth and delivery latency (see OutboxStats). */
  stats(): OutboxStats {
    const now = this.#now();
    let inFlight = 0;
    for (const lane of this.#lanes.values()) inFlight += lane.inFlight;
    return {
      queued: this.#store.pendingOutbox(this.#threadKeys),
      inFlight,
      delivered: this.#delivered,
      failed: this.#failed,
      channels: channelStats(this.#store.outboxBacklog(this.#threadKeys), now),
      latencyMs: this.#latency.summary(),
    };
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
    await Promise.all(this.#tasks);
  }

  /** Claims what can go now (after waiting out spacing if nothing can) and waits for it. Returns rows claimed. */
  async deliverOnce(): Promise<number> {
    let { claimed, nextMs } = this.#dispatch();
    if (claimed === 0 && Number.isFinite(nextMs) && this.#store.pendingOutbox(this.#threadKeys) > 0) {
      await this.#sleep(nextMs);
      ({ claimed } = this.#dispatch());
    }
    await Promise.all(this.#tasks);
    return claimed;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let claimed = 0;
      let nextMs = this.#pollMs;
      try {
        ({ claimed, nextMs } = this.#dispatch());
      } catch (error) {
        this.#logger.error('outbox round failed', { error: String(error) });
      }
      if (claimed === 0 && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, Math.min(this.#pollMs, nextMs)));
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  /**
   * Claims, per platform, up to its free slots: one row per channel that is not waiting out its
   * spacing (the loop comes back at once for channels with tokens left). Returns rows claimed and the ms until a paced channel may post again.
   */
  #dispatch(): { claimed: number; nextMs: number } {
    const now = this.#now();
    let claimed = 0;
    let nextMs = Number.POSITIVE_INFINITY;
    for (const [platform, lane] of this.#lanes) {
      // Pacing follows real elapsed time (monotonic), whatever clock the store is given.
      const blocked = lane.pacer.blocked(this.#paceNow());
      nextMs = Math.min(nextMs, blocked.nextMs);
      const free = lane.max - lane.inFlight;
      if (free <= 0) continue;
      const prefix = `${platform}:`;
      const round = lane.budgets.claim(free, this.#paceNow(), (limit, pass) => {
        const rows = this.#store.claimOutbox(now, limit, this.#threadKeys, {
          only: prefix,
          skip: blocked.channels,
          answersOnly: pass.answersOnly ? [...blocked.answersOnly, prefix] : blocked.answersOnly,
          edits: pass.edits ?? 'all',
        });
        for (const row of rows) this.#launch(lane, row);
        return rows;
      });
      claimed += round.claimed;
      nextMs = Math.min(nextMs, round.nextMs);
    }
    // Rows for a platform nobody serves here can never go: fail them rather than wait forever.
    const orphans = this.#store.claimOutbox(now, 20, this.#threadKeys, {
      skip: [...this.#lanes.keys()].map((p) => `${p}:`),
    });
    for (const row of orphans) {
      this.#store.markFailed(row.id, `no adapter for ${decodeThreadKey(row.threadKey).platform}`);
      this.#failed++;
    }
    return { claimed: claimed + orphans.length, nextMs };
  }

  #launch(lane: PlatformLane, row: OutboxRow): void {
    const channel = channelOf(row.threadKey);
    lane.pacer.take(paceKey(lane.adapter, row.threadKey), this.#paceNow());
    lane.budgets.take(row, this.#paceNow());
    lane.inFlight++;
    const task: Promise<void> = this.#deliver(lane.adapter, row, channel)
      .catch((error: unknown) => this.#logger.error('outbox delivery crashed', { error: String(error) }))
      .finally(() => {
        lane.inFlight--;
        this.#tasks.delete(task);
        this.kick();
      });
    this.#tasks.add(task);
  }

  async #deliver(adapter: ChatAdapter, row: OutboxRow, channel: string): Promise<void> {
    const thread = decodeThreadKey(row.threadKey);
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
      const message = toOutgoing(payload, replaces);
      if (row.key?.startsWith('status:')) this.#noteCatchingUp(adapter, message, row.threadKey, channel);
      message.delivery = { id: String(row.id), since: row.createdAt, check: row.maybeSent };
      if (row.maybeSent && !replaces) {
        const before = this.#store.lastSentRef(row.threadKey, row.id);
        if (isMessageRef(before)) message.delivery.after = before.messageId;
      }
      const ref = await adapter.send(thread, message);
      this.#store.markSent(row.id, ref);
      this.#delivered++;
      this.#latency.add(Math.max(0, this.#now() - row.createdAt));
    } catch (error) {
      const retryable = !(error instanceof AdapterError) || error.retryable;
      const hint = error instanceof AdapterError ? error.retryAfterMs : undefined;
      if (retryable && row.attempts < this.#maxAttempts) {
        const backoff = hint ?? Math.min(30_000, 500 * 2 ** (row.attempts - 1));
        // A rate-limit answer (with its hint) proves nothing was posted; no answer proves nothing.
        this.#store.markFailed(row.id, String(error), this.#now() + backoff, hint === undefined);
        this.#logger.warn('outbox delivery will be retried', { id: row.id, attempts: row.attempts, backoff });
      } else {
        this.#store.markFailed(row.id, String(error));
        this.#failed++;
        this.#logger.error('outbox delivery failed', { id: row.id, error: String(error) });
      }
    }
  }

  /**
   * A status line in a channel with a long queue says so, rather than going quiet. Where each
   * thread is paced on its own (Discord), the thread's own queue is what holds it back.
   */
  #noteCatchingUp(adapter: ChatAdapter, message: Outgoing, threadKey: string, channel: string): void {
    let queued: number;
    if (adapter.paceBy === 'thread') {
      queued = this.#store.pendingOutbox([threadKey]);
    } else {
      const now = this.#now();
      if (!this.#backlog || now - this.#backlog.at > BACKLOG_CACHE_MS) {
        this.#backlog = { at: now, rows: this.#store.outboxBacklog(this.#threadKeys) };
      }
      queued = this.#backlog.rows.find((b) => b.channel === channel)?.queued ?? 0;
    }
    if (queued >= this.#catchingUpAt) {
      const where = adapter.paceBy === 'thread' ? 'thread' : 'channel';
      message.text = `${message.text}\n⏩ catching up: ${queued} messages queued in this ${where}`;
    }
  }
}
