import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_SKEW_S, signatureProblem } from '../../../src/bots/slack/signature.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_MS = 1_716_000_000_000;

/** Signs like Slack does (written from Slack's documentation, independently of the code under test). */
function signed(body: string, ts: number, secret = SECRET) {
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

describe('Slack request signatures', () => {
  const body = 'token=x&team_id=T1&command=%2Fff2&text=hi';
  const ts = NOW_MS / 1000;

  it("accepts Slack's signature of the exact body within the time window", () => {
    expect(signatureProblem(SECRET, signed(body, ts), body, NOW_MS)).toBeUndefined();
    expect(signatureProblem(SECRET, signed(body, ts - MAX_SKEW_S), body, NOW_MS)).toBeUndefined();
  });

  it('refuses another secret, a changed body, a missing or malformed header', () => {
    expect(signatureProblem(SECRET, signed(body, ts, 'other'), body, NOW_MS)).toBe('signature mismatch');
    expect(signatureProblem(SECRET, signed(body, ts), `${body}&x=1`, NOW_MS)).toBe('signature mismatch');
    const headers = signed(body, ts);
    expect(signatureProblem(SECRET, { ...headers, 'x-slack-signature': undefined }, body, NOW_MS)).toBe(
      'signature missing',
    );
    expect(
      signatureProblem(
        SECRET,
        { ...headers, 'x-slack-signature': headers['x-slack-signature'].slice(0, -1) },
        body,
        NOW_MS,
      ),
    ).toBe('signature mismatch');
    expect(signatureProblem(SECRET, { ...headers, 'x-slack-request-timestamp': 'soon' }, body, NOW_MS)).toBe(
      'timestamp missing',
    );
  });

  it('refuses a stale and a future timestamp, even correctly signed (a replay)', () => {
    expect(signatureProblem(SECRET, signed(body, ts - MAX_SKEW_S - 1), body, NOW_MS)).toBe(
      'timestamp too far from now',
    );
    expect(signatureProblem(SECRET, signed(body, ts + MAX_SKEW_S + 1), body, NOW_MS)).toBe(
      'timestamp too far from now',
    );
  });
});
