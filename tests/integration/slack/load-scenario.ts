/**
 * The "answer the person first" load scenario, shared by the load test and `npm run bench -- slack`:
 * `sessions` sessions started at once over `channels` channels through the real Slack front door
 * (the whole app, the scripted model), each owner clicking Approve as soon as their outline
 * shows. Measures click → visible effect (the stand-in receiving the edit "✔ Approve — chosen by")
 * and every channel's outbox traffic (thread posts and edits) over time.
 */
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import type { SlackCall } from '../../fakes/slack-server.js';
import { startSlackHarness } from './harness.js';

export interface LoadResult {
  /** Click → the clicked message edited, per session, ms. */
  clickEffectMs: number[];
  /** Sessions whose click got no visible effect within the time limit. */
  missing: number;
  /** Per channel: arrival times (ms) of outbox posts and edits. */
  channelTimes: Map<string, number[]>;
  /** Spawn → every session clicked and answered, ms. */
  totalMs: number;
}

interface Block {
  elements?: { action_id: string; text: { text: string } }[];
}

export async function runClickLoad(options: {
  sessions: number;
  channels: number;
  env: Record<string, string>;
  /** Model delay per call (generation is held much longer, so sessions stay busy). */
  modelDelayMs?: number;
  timeoutMs?: number;
  /** Called with the database file before the app stops (diagnostics). */
  inspect?: (dbPath: string) => void;
}): Promise<LoadResult> {
  const script = referenceGoalScript();
  const delay = options.modelDelayMs ?? 50;
  const h = await startSlackHarness(async (call) => {
    await new Promise((r) => setTimeout(r, call.task === 'generate' ? 20 * delay : delay));
    return script(call);
  }, options.env);
  const started = performance.now();
  try {
    const channelOf = (i: number) => `CL${i % options.channels}`;
    await Promise.all(
      Array.from({ length: options.sessions }, (_, i) =>
        h.slack.command(h.botUrl, {
          text: `load ${i}: a csv deduper with preview`,
          channel_id: channelOf(i),
          user_id: `UL${i}`,
          user_name: `user${i}`,
        }),
      ),
    );
    const clickedAt = new Map<string, number>();
    const effects: number[] = [];
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const updates = new Set<string>();
    while (effects.length < options.sessions && Date.now() < deadline) {
      for (const call of h.slack.of('chat.update')) {
        const ts = String(call.body.ts);
        const at = clickedAt.get(ts);
        if (at !== undefined && !updates.has(ts) && JSON.stringify(call.body).includes('chosen by')) {
          updates.add(ts);
          effects.push((call.at ?? performance.now()) - at);
        }
      }
      for (const m of h.slack.messages) {
        if (!m.thread_ts || clickedAt.has(m.ts)) continue;
        const approve = ((m.blocks as Block[] | undefined) ?? [])
          .flatMap((b) => b.elements ?? [])
          .find((e) => e.text.text === 'Approve');
        if (!approve) continue;
        const root = h.slack.messages.find((r) => r.ts === m.thread_ts)!;
        const user = /<@(UL\d+)>/.exec(root.text)?.[1] ?? 'U1';
        clickedAt.set(m.ts, performance.now());
        void h.slack.action(h.botUrl, {
          type: 'block_actions',
          user: { id: user, username: user.toLowerCase() },
          channel: { id: m.channel, name: 'load' },
          container: { type: 'message', message_ts: m.ts, channel_id: m.channel, thread_ts: m.thread_ts },
          message: { type: 'message', ts: m.ts, thread_ts: m.thread_ts, text: m.text },
          actions: [
            {
              type: 'button',
              action_id: approve.action_id,
              block_id: 'b',
              action_ts: `${Date.now() / 1000}`,
            },
          ],
        });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    options.inspect?.(h.config.dbPath);
    const channelTimes = new Map<string, number[]>();
    const outbound = (c: SlackCall) =>
      (c.method === 'chat.postMessage' && c.body.thread_ts !== undefined) || c.method === 'chat.update';
    for (const call of h.slack.calls.filter(outbound)) {
      const channel = String(call.body.channel);
      channelTimes.set(channel, [...(channelTimes.get(channel) ?? []), call.at ?? 0]);
    }
    return {
      clickEffectMs: effects,
      missing: options.sessions - effects.length,
      channelTimes,
      totalMs: performance.now() - started,
    };
  } finally {
    await h.app.stop({ abortRunning: true });
    await h.close();
  }
}

/** The most calls any window of `windowMs` saw, over all channels. */
export function maxInWindow(channelTimes: Map<string, number[]>, windowMs: number): number {
  let max = 0;
  for (const times of channelTimes.values()) {
    const sorted = [...times].sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < sorted.length; end++) {
      while (sorted[end]! - sorted[start]! >= windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
  }
  return max;
}

export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
