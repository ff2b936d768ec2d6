import type { RateLimitData } from 'discord.js';
import { AdapterError } from '../../errors.js';

/*
 * The REST errors are told apart by their `name` ("RateLimitError[route]", "DiscordAPIError[code]",
 * "HTTPError") rather than by class, so loading this file does not load discord.js: every ff2
 * command imports it, and discord.js takes about a second to load (a restart must listen fast).
 */
type RestError = Error & { status?: number; code?: unknown; retryAfter?: number; timeToReset?: number };
const named = (error: unknown, name: string): error is RestError =>
  error instanceof Error && (error.name === name || error.name.startsWith(`${name}[`));

/**
 * Maps whatever discord.js threw to an AdapterError, once: 429 → retryable after the server's
 * wait; 5xx and network failures → retryable; any other 4xx → not retryable, because Discord bans
 * bots that keep repeating failing requests.
 */
export function toAdapterError(error: unknown, what: string): AdapterError {
  if (error instanceof AdapterError) return error;
  if (named(error, 'RateLimitError')) {
    const wait = Math.max(error.retryAfter ?? 0, error.timeToReset ?? 0, 0);
    return new AdapterError('discord', `${what}: rate limited for ${wait} ms`, wait, true, { cause: error });
  }
  const api = named(error, 'DiscordAPIError');
  const status =
    (api || named(error, 'HTTPError')) && typeof error.status === 'number' ? error.status : undefined;
  if (status === 429) {
    return new AdapterError('discord', `${what}: rate limited`, 1000, true, { cause: error });
  }
  if (status !== undefined) {
    const retryable = status >= 500;
    const detail = api ? ` (code ${String((error as RestError).code)}: ${(error as RestError).message})` : '';
    return new AdapterError('discord', `${what}: HTTP ${status}${detail}`, undefined, retryable, {
      cause: error,
    });
  }
  // No status: the request never got an answer (connection refused, reset, timeout).
  const message = error instanceof Error ? error.message : String(error);
  return new AdapterError('discord', `${what}: ${message}`, undefined, true, { cause: error });
}

/**
 * For @discordjs/rest's `rejectOnRateLimit`: posting or editing a message throws when its route's
 * bucket is exhausted, so the outbox schedules the retry (and other threads keep moving);
 * everything else (interaction answers, thread creation) lets the library wait out `retry_after`.
 * The bot-wide limit (50 requests/s) is waited out too: it lifts within a second for every
 * route alike, so failing the row would only add a retry's backoff to the wait.
 */
export function rejectMessageRateLimits(data: RateLimitData): boolean {
  if (data.global) return false;
  const method = data.method.toUpperCase();
  return (
    (method === 'POST' && data.route === '/channels/:id/messages') ||
    (method === 'PATCH' && data.route === '/channels/:id/messages/:id')
  );
}
