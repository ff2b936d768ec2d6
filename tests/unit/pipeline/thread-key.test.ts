import { describe, expect, it } from 'vitest';
import { channelKeyOf, decodeThreadKey, encodeThreadKey } from '../../../src/pipeline/thread-key.js';

describe('thread keys', () => {
  it.each([
    ['slack', 'C0123ABC', '1712000000.000100'],
    ['discord', '1189000000000000001', '1189000000000000777'],
    ['terminal', 'local', 'lq2x9k0-3f8a1c'],
    ['slack', 'C1', ''],
    ['discord', 'C1', 'a:b:c'],
  ])('round-trips %s:%s:%s', (platform, channelId, threadId) => {
    const key = encodeThreadKey({ platform, channelId, threadId });
    expect(key).toBe(`${platform}:${channelId}:${threadId}`);
    expect(decodeThreadKey(key)).toEqual({ platform, channelId, threadId });
  });

  it('names the channel a thread lives in, and refuses a text that is not a key', () => {
    expect(channelKeyOf('slack:C1:1712000000.000100')).toBe('slack:C1:');
    expect(channelKeyOf('discord:C1:a:b')).toBe('discord:C1:');
    expect(() => decodeThreadKey('slack-C1')).toThrow(/not a thread key/);
    expect(() => decodeThreadKey('slack:C1')).toThrow(/not a thread key/);
  });
});
