import type { RateLimitData } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { rejectMessageRateLimits, toAdapterError } from '../../../src/bots/discord/errors.js';

const limit = (over: Partial<RateLimitData>): RateLimitData => ({
  global: false,
  method: 'POST',
  url: 'https://discord.test/api/v10/channels/1/messages',
  route: '/channels/:id/messages',
  majorParameter: '1',
  hash: 'h',
  limit: 5,
  timeToReset: 800,
  retryAfter: 800,
  sublimitTimeout: 0,
  scope: 'user',
  ...over,
});

describe('Discord rate limits', () => {
  it('hands a message post or edit whose route bucket is spent back to the outbox, to retry later', () => {
    expect(rejectMessageRateLimits(limit({}))).toBe(true);
    expect(rejectMessageRateLimits(limit({ method: 'patch', route: '/channels/:id/messages/:id' }))).toBe(
      true,
    );
  });

  it('lets discord.js wait out the bot-wide limit and anything that is not a message post or edit', () => {
    expect(rejectMessageRateLimits(limit({ global: true }))).toBe(false);
    expect(rejectMessageRateLimits(limit({ route: '/channels/:id/messages/:id/threads' }))).toBe(false);
    expect(rejectMessageRateLimits(limit({ route: '/interactions/:id/:token/callback' }))).toBe(false);
  });

  it('turns a rejected rate limit into a retryable error carrying the wait', () => {
    const error = Object.assign(new Error('rate limited'), {
      name: 'RateLimitError[/channels/:id/messages]',
      retryAfter: 800,
    });
    const mapped = toAdapterError(error, 'post');
    expect(mapped).toMatchObject({ retryable: true, retryAfterMs: 800 });
  });
});
