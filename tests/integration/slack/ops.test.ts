import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** One sample's value from Prometheus text (sum over series matching every given label). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).some(([k, v]) => !line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('GET /healthz and GET /metrics on the Slack HTTP port', () => {
  it('reports liveness and moving counters during a journey', async () => {
    h = await startSlackHarness(referenceGoalScript(), {}, { metrics: true });
    const base = h.botUrl.replace('/slack/events', '');
    const healthz = await fetch(`${base}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toMatchObject({
      ok: true,
      eventLoop: { ok: true },
      database: { ok: true },
      lease: { ok: true },
    });

    const before = await (await fetch(`${base}/metrics`)).text();
    expect(sample(before, 'ff2_steps_total')).toBe(0);

    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    // A Slack retry of an event that was handled: a dedupe hit.
    await h.reply(thread, 'what does it do?', 'U1', 'EvDup');
    await h.idle();
    await h.reply(thread, 'what does it do?', 'U1', 'EvDup');
    await h.idle();
    await h.click('Approve', thread);
    await h.idle();
    await h.click('Run', thread);
    await h.idle();

    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const after = await res.text();
    expect(sample(after, 'ff2_steps_total', { stage: 'interview' })).toBe(1);
    expect(sample(after, 'ff2_steps_total')).toBeGreaterThan(5);
    expect(sample(after, 'ff2_stage_step_duration_seconds_count', { stage: 'generate' })).toBeGreaterThan(0);
    expect(sample(after, 'ff2_model_calls_total', { provider: 'scripted', outcome: 'ok' })).toBe(
      h.llm.calls.length,
    );
    expect(sample(after, 'ff2_model_tokens_total', { kind: 'prompt' })).toBeGreaterThan(0);
    expect(sample(after, 'ff2_sandbox_runs_total')).toBe(h.runs.length);
    expect(sample(after, 'ff2_sandbox_run_duration_seconds_count')).toBe(h.runs.length);
    expect(sample(after, 'ff2_inbound_duplicates_total', { platform: 'slack' })).toBe(1);
    expect(sample(after, 'ff2_sessions', { stage: 'give_feedback', status: 'waiting' })).toBe(1);
    expect(after).toContain('ff2_outbox_messages{state="pending"}');
    expect(after).toContain('ff2_process_resident_memory_bytes');
  });
});
