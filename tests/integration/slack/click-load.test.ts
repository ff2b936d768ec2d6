import { expect, it } from 'vitest';
import { maxInWindow, percentile, runClickLoad } from './load-scenario.js';

/**
 * 40 sessions at once over 4 channels, every owner clicking Approve as soon as the outline shows,
 * while the other sessions' progress keeps the outbox busy: every click gets its visible answer,
 * and no channel ever gets more outbox traffic than its configured spacing allows (a burst of 2,
 * then one per 200 ms). Click → effect latency is printed here and measured in the bench.
 */
it('answers 40 concurrent clicks and keeps every channel within its configured rate', async () => {
  const intervalMs = 200;
  const burst = 2;
  const result = await runClickLoad({
    sessions: 40,
    channels: 4,
    env: {
      FF2_SLACK_CHANNEL_INTERVAL_MS: String(intervalMs),
      FF2_SLACK_CHANNEL_BURST: String(burst),
    },
    timeoutMs: 150_000,
  });
  console.log(
    `click → effect p50 ${Math.round(percentile(result.clickEffectMs, 0.5))} ms, p99 ${Math.round(percentile(result.clickEffectMs, 0.99))} ms, ${result.missing} missing`,
  );
  expect(result.missing).toBe(0);
  // Any 2 s window of one channel: at most the burst plus one per interval (+1 for arrival jitter).
  const windowMs = 2000;
  expect(maxInWindow(result.channelTimes, windowMs)).toBeLessThanOrEqual(burst + windowMs / intervalMs + 1);
  expect(result.channelTimes.size).toBe(4);
}, 240_000);
