import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SESSIONS = 200;
/** Growth of this process's resident memory allowed for 200 sessions (stated bound, generous for CI). */
const RSS_GROWTH_BOUND_MB = 400;

describe('load', () => {
  it(`starts ${SESSIONS} sessions at once: every /ff2 acked within 3 s, all progress, memory bounded`, async () => {
    h = await startSlackHarness(
      referenceGoalScript(),
      { FF2_MAX_CONCURRENT_MODEL_CALLS: '8' },
      { work: true },
    );
    const harness = h;
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    // One channel each, so Slack's per-channel pacing does not serialise the replies.
    const acks = await Promise.all(
      Array.from({ length: SESSIONS }, (_, i) =>
        harness.slack.command(harness.botUrl, {
          text: REFERENCE_GOAL,
          user_id: `U${i}`,
          channel_id: `CL${i}`,
        }),
      ),
    );
    expect(acks.every((a) => a.status === 200)).toBe(true);
    const slowest = Math.max(...acks.map((a) => a.ms));
    expect(slowest).toBeLessThan(3000);
    const deadline = Date.now() + 120_000;
    while (harness.store.listSessions().filter((s) => s.stage === 'approve_outline').length < SESSIONS) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await harness.idle();
    clearInterval(sampler);
    const stages = harness.store.listSessions().map((s) => s.stage);
    expect(stages).toHaveLength(SESSIONS);
    expect(stages.every((s) => s === 'approve_outline')).toBe(true);
    const growthMb = (peak - rssBefore) / (1024 * 1024);
    console.info(
      `load: ${SESSIONS} sessions, slowest ack ${slowest.toFixed(0)} ms, RSS growth peak ${growthMb.toFixed(0)} MB`,
    );
    expect(growthMb).toBeLessThan(RSS_GROWTH_BOUND_MB);
  }, 180_000);
});
