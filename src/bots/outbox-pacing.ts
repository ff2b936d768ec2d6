/**
 * Per-channel spacing for the outbox: a token bucket per channel (`burst` posts back to back,
 * then one per `intervalMs`). A channel without a token is simply not claimed from until it has
 * one again, so waiting out spacing never holds a delivery slot.
 *
 * Answers first: a reserve of tokens (by default the last one, with a burst of 2 or more) is kept
 * for direct answers to a person (the edit that closes the clicked buttons, the next gate's message).
 * Background traffic (status edits, progress) only takes a token while more than the reserve is
 * left, so a click's answer never waits out spacing that progress used up. The rate never
 * exceeds the bucket's: `burst` at once, then one per `intervalMs`.
 */
export class ChannelPacer {
  readonly #intervalMs: number;
  readonly #burst: number;
  readonly #reserve: number;
  /** Tokens per channel as of `at`; channels with a full bucket are forgotten. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** `reserve`: tokens kept for direct answers (default 1 when the burst allows it, else 0). */
  constructor(intervalMs: number, burst = 1, reserve?: number) {
    this.#intervalMs = Math.max(0, intervalMs);
    this.#burst = Math.max(1, Math.floor(burst));
    this.#reserve = Math.min(this.#burst - 1, Math.max(0, Math.floor(reserve ?? (this.#burst >= 2 ? 1 : 0))));
  }

  /**
   * Posts `channel` may make now: direct answers (`answers`), and anything else (`background`,
   * which leaves the reserve alone).
   */
  room(channel: string, now: number): { answers: number; background: number } {
    if (this.#intervalMs === 0)
      return { answers: Number.POSITIVE_INFINITY, background: Number.POSITIVE_INFINITY };
    const tokens = this.#tokens(channel, now);
    return { answers: Math.floor(tokens), background: Math.max(0, Math.floor(tokens - this.#reserve)) };
  }

  /** Takes one token for a post about to go to `channel` (callers check `waitMs` first). */
  take(channel: string, now: number): void {
    if (this.#intervalMs === 0) return;
    const tokens = this.#tokens(channel, now);
    this.#buckets.set(channel, { tokens: tokens - 1, at: now });
  }

  /** Ms until `channel` may post again (a direct answer, or with `background` anything else); 0 when it may now. */
  waitMs(channel: string, now: number, background = false): number {
    if (this.#intervalMs === 0) return 0;
    const need = background ? 1 + this.#reserve : 1;
    const tokens = this.#tokens(channel, now);
    return tokens >= need ? 0 : Math.ceil((need - tokens) * this.#intervalMs);
  }

  /**
   * Channels that may not post now (`channels`), channels that may post only a direct answer
   * (`answersOnly`: their last token is reserved), and the ms until the first of either may
   * may post more than now.
   */
  blocked(now: number): { channels: string[]; answersOnly: string[]; nextMs: number } {
    const channels: string[] = [];
    const answersOnly: string[] = [];
    let nextMs = Number.POSITIVE_INFINITY;
    for (const channel of [...this.#buckets.keys()]) {
      const tokens = this.#tokens(channel, now);
      if (tokens >= this.#burst) this.#buckets.delete(channel);
      const backgroundWait = this.waitMs(channel, now, true);
      if (backgroundWait === 0) continue;
      const answerWait = this.waitMs(channel, now);
      // The next moment this channel may post more: an answer's token, else background's.
      nextMs = Math.min(nextMs, answerWait > 0 ? answerWait : backgroundWait);
      if (answerWait > 0) channels.push(channel);
      else answersOnly.push(channel);
    }
    return { channels, answersOnly, nextMs };
  }

  #tokens(channel: string, now: number): number {
    const bucket = this.#buckets.get(channel);
    if (!bucket) return this.#burst;
    return Math.min(this.#burst, bucket.tokens + (now - bucket.at) / this.#intervalMs);
  }
}
