import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** How far a request's timestamp may be from now, either way, in seconds (Slack's own is 5 minutes, old only). */
export const MAX_SKEW_S = 300;

/**
 * Slack's request signing (v0): `x-slack-signature` must be `v0=` + hex HMAC-SHA256 of
 * `v0:<x-slack-request-timestamp>:<raw body>` under the signing secret, compared in constant time,
 * and the timestamp within MAX_SKEW_S of `nowMs` (future ones too, unlike Bolt). The one check
 * every Slack request goes through before its body is read.
 * @returns why the request is refused, or undefined when it is Slack's.
 */
export function signatureProblem(
  signingSecret: string,
  headers: IncomingHttpHeaders,
  rawBody: string,
  nowMs: number = Date.now(),
): string | undefined {
  const ts = headers['x-slack-request-timestamp'];
  const sig = headers['x-slack-signature'];
  if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) return 'timestamp missing';
  if (Math.abs(nowMs / 1000 - Number(ts)) > MAX_SKEW_S) return 'timestamp too far from now';
  if (typeof sig !== 'string' || !sig.startsWith('v0=')) return 'signature missing';
  const ours = Buffer.from(
    `v0=${createHmac('sha256', signingSecret).update(`v0:${ts}:${rawBody}`).digest('hex')}`,
  );
  const theirs = Buffer.from(sig);
  if (ours.length !== theirs.length || !timingSafeEqual(ours, theirs)) return 'signature mismatch';
  return undefined;
}
