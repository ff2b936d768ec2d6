/**
 * Per-channel spacing for the outbox: a token bucket per channel (`burst` posts back to back,
 * then one per `intervalMs`). A channel without a token is simply not claimed from until it has
 * one again, so waiting out spacing never holds a delivery slot.
 */
export class ChannelPacer {
  readonly #intervalMs: number;
  readonly #burst: number;
  /** Tokens per channel as of `at`; channels with a full bucket are forgotten. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(intervalMs: number, burst = 1) {
    this.#intervalMs = Math.max(0, intervalMs);
    this.#burst = Math.max(1, Math.floor(burst));
  }

  /** Takes one token for a post about to go to `channel` (callers check `waitMs` first). */
  take(channel: string, now: number): void {
    if (this.#intervalMs === 0) return;
    const tokens = this.#tokens(channel, now);
    this.#buckets.set(channel, { tokens: tokens - 1, at: now });
  }

  /** Ms until `channel` may post again; 0 when it may now. */
  waitMs(channel: string, now: number): number {
    if (this.#intervalMs === 0) return 0;
    const tokens = this.#tokens(channel, now);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * this.#intervalMs);
  }

  /** Channels that may not post now, and the ms until the first of them may. */
  blocked(now: number): { channels: string[]; nextMs: number } {
    const channels: string[] = [];
    let nextMs = Number.POSITIVE_INFINITY;
    for (const channel of [...this.#buckets.keys()]) {
      const tokens = this.#tokens(channel, now);
      if (tokens >= this.#burst) this.#buckets.delete(channel);
      const wait = this.waitMs(channel, now);
      if (wait > 0) {
        channels.push(channel);
        nextMs = Math.min(nextMs, wait);
      }
    }
    return { channels, nextMs };
  }

  #tokens(channel: string, now: number): number {
    const bucket = this.#buckets.get(channel);
    if (!bucket) return this.#burst;
    return Math.min(this.#burst, bucket.tokens + (now - bucket.at) / this.#intervalMs);
  }
}
