import { setTimeout as delay } from 'node:timers/promises';
import { LlmError } from './types.js';

/** Waits `ms`, rejecting early when `signal` aborts. Injected so tests never wait real seconds. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, { signal });
};

export interface RetryOptions {
  /** Retries after the first try (0 = try once). */
  maxRetries: number;
  sleep: Sleep;
  /** Uniform in [0, 1); jitter source. */
  random: () => number;
  signal?: AbortSignal;
  /** First backoff step in ms (doubles per retry). Default 500. */
  baseDelayMs?: number;
  /** No single wait is longer; a Retry-After beyond it gives up instead. Default 30,000. */
  maxDelayMs?: number;
  onRetry?: (error: LlmError, attempt: number, waitMs: number) => void;
}

/**
 * Runs `fn` until it succeeds, retrying LlmErrors marked `retryable` with exponential backoff and
 * full jitter, or exactly the server's Retry-After when it sent one.
 * @throws the last LlmError, or `aborted` when the signal fires while waiting.
 */
export async function retrying<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof LlmError) || !error.retryable || attempt >= options.maxRetries) throw error;
      const waitMs =
        error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : Math.round(Math.min(cap, base * 2 ** attempt) * (0.5 + options.random() / 2));
      if (waitMs > cap) throw error;
      options.onRetry?.(error, attempt + 1, waitMs);
      try {
        await options.sleep(waitMs, options.signal);
      } catch (cause) {
        throw new LlmError('aborted', false, 'The request was cancelled.', { cause });
      }
    }
  }
}

/**
 * Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date) into milliseconds.
 * Returns undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers | undefined, nowMs: number): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}
