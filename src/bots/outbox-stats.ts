/**
 * What the outbox reports about itself (`Outbox.stats()`), for operators and metrics: queue depth
 * per channel and delivery latency (queued → delivered) over the most recent deliveries.
 */
import type { ChannelBacklog } from '../store/types.js';

export interface OutboxStats {
  /** Rows not yet delivered (pending + being sent), in the threads this outbox serves. */
  queued: number;
  /** Rows being sent right now. */
  inFlight: number;
  /** Rows delivered since start. */
  delivered: number;
  /** Rows failed for good since start. */
  failed: number;
  /** Longest queues first (at most 20). `oldestMs`: how long the oldest row has waited. */
  channels: { channel: string; queued: number; oldestMs: number }[];
  /** Queued → delivered, over the last LATENCY_WINDOW deliveries; 0 when none yet. */
  latencyMs: { p50: number; p99: number; max: number; samples: number };
}

const LATENCY_WINDOW = 1000;

/** A ring of recent delivery latencies. */
export class LatencyWindow {
  readonly #values: number[] = [];
  #next = 0;

  add(ms: number): void {
    if (this.#values.length < LATENCY_WINDOW) this.#values.push(ms);
    else this.#values[this.#next] = ms;
    this.#next = (this.#next + 1) % LATENCY_WINDOW;
  }

  summary(): OutboxStats['latencyMs'] {
    const sorted = [...this.#values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0, samples: sorted.length };
  }
}

export function channelStats(backlog: ChannelBacklog[], now: number): OutboxStats['channels'] {
  return backlog
    .slice(0, 20)
    .map((b) => ({ channel: b.channel, queued: b.queued, oldestMs: Math.max(0, now - b.oldestAt) }));
}
