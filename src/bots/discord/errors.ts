import { DiscordAPIError, HTTPError, type RateLimitData, RateLimitError } from 'discord.js';
import { AdapterError } from '../../errors.js';

/**
 * Maps whatever discord.js threw to an AdapterError, once: 429 → retryable after the server's
 * wait; 5xx and network failures → retryable; any other 4xx → not retryable, because Discord bans
 * bots that keep repeating failing requests.
 */
export function toAdapterError(error: unknown, what: string): AdapterError {
  if (error instanceof AdapterError) return error;
  if (error instanceof RateLimitError) {
    const wait = Math.max(error.retryAfter, error.timeToReset, 0);
    return new AdapterError('discord', `${what}: rate limited for ${wait} ms`, wait, true, { cause: error });
  }
  const status = error instanceof DiscordAPIError || error instanceof HTTPError ? error.status : undefined;
  if (status === 429) {
    return new AdapterError('discord', `${what}: rate limited`, 1000, true, { cause: error });
  }
  if (status !== undefined) {
    const retryable = status >= 500;
    const detail = error instanceof DiscordAPIError ? ` (code ${error.code}: ${error.message})` : '';
    return new AdapterError('discord', `${what}: HTTP ${status}${detail}`, undefined, retryable, {
      cause: error,
    });
  }
  // No status: the request never got an answer (connection refused, reset, timeout).
  const message = error instanceof Error ? error.message : String(error);
  return new AdapterError('discord', `${what}: ${message}`, undefined, true, { cause: error });
}

/**
 * For @discordjs/rest's `rejectOnRateLimit`: posting or editing a message throws on a 429 so the
 * outbox schedules the retry (and other threads keep moving); everything else (interaction
 * answers, thread creation) lets the library wait out `retry_after`.
 */
export function rejectMessageRateLimits(data: RateLimitData): boolean {
  const method = data.method.toUpperCase();
  return (
    (method === 'POST' && data.route === '/channels/:id/messages') ||
    (method === 'PATCH' && data.route === '/channels/:id/messages/:id')
  );
}
