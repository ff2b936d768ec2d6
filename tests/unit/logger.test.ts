import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('logger redaction', () => {
  it('redacts secret keys and token-shaped strings anywhere in the context', () => {
    const { lines, stream } = capture();
    const logger = createLogger('debug', stream).child('test');
    logger.error('call failed', {
      botToken: 'xoxb-123-456-abcdef',
      config: { apiKey: 'sk-live-abcdefghijklmnop', nested: { authorization: 'Bearer abc.def.ghi' } },
      error: 'GET https://slack.example/api?token=xoxp-9999-8888 failed with Bearer abcdefghij123',
      cause: new Error('OPENAI_API_KEY sk-proj-ABCDEFGHIJKLMNOPQRST rejected'),
    });
    const text = lines.join('');
    expect(text).not.toMatch(/xoxb-123|xoxp-9999|sk-live|sk-proj|abcdefghij123|abc\.def\.ghi/);
    expect(text).toContain('[redacted]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ scope: 'test', msg: 'call failed' });
  });

  it('scrubs Slack, OpenAI, Discord and bearer tokens from plain strings', () => {
    expect(scrubSecrets('token xapp-1-A0-123abc in use')).toBe('token [redacted] in use');
    expect(scrubSecrets('Authorization: Bot MTAx.abc.def-ghijklmnop')).toBe('Authorization: Bot [redacted]');
    expect(scrubSecrets('discord MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz12345 ok')).toBe(
      'discord [redacted] ok',
    );
    expect(scrubSecrets('no secrets here, just /tmp/ff2.db')).toBe('no secrets here, just /tmp/ff2.db');
  });
});
