import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The reference answers, each after `ms` (a slow model). */
function slowly(ms: number) {
  const script = referenceGoalScript();
  return async (call: Parameters<typeof script>[0]) => {
    await new Promise((r) => setTimeout(r, ms));
    return script(call);
  };
}

describe('bounded work', () => {
  it('tells a waiting session "busy, you\'re number N" in its thread, and every session still progresses', async () => {
    h = await startSlackHarness(slowly(150), { FF2_MAX_CONCURRENT_MODEL_CALLS: '1' }, { work: true });
    const threads = await startAtOnce(h, ['U1', 'U2', 'U3']);
    await h.idle();
    for (const thread of threads) expect(h.session(thread).stage).toBe('approve_outline');
    const busy = threads.flatMap((t) => h!.messages(t)).filter((m) => m.text.includes('Busy right now'));
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.text).toMatch(/you're number \d+ in line for a model call/);
  });

  it('postpones a step when the wait line is full and says so, then continues by itself', async () => {
    // The model answers nothing until every session has asked (a held model): 1 call runs, 1 waits.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const script = referenceGoalScript();
    h = await startSlackHarness(
      async (call) => {
        await held;
        return script(call);
      },
      { FF2_MAX_CONCURRENT_MODEL_CALLS: '1', FF2_MAX_QUEUED: '1' },
      { work: true },
    );
    const threads = await startAtOnce(h, ['U1', 'U2', 'U3', 'U4']);
    const harness = h;
    const capacity = () =>
      threads.flatMap((t) => harness.messages(t)).filter((m) => m.text.includes('at capacity'));
    await until(() => capacity().length === 2, 'two "at capacity" notes');
    expect(capacity()[0]!.text).toContain('1 requests already waiting for a model call');
    release();
    await until(
      () =>
        threads.every((t) => harness.store.getSessionByThread(`slack:C1:${t}`)?.stage === 'approve_outline'),
      'every session at the outline',
    );
  });
});

/** `/ff2` from each user at once; resolves with the session threads (root message ts). */
async function startAtOnce(harness: SlackHarness, users: string[]): Promise<string[]> {
  await Promise.all(
    users.map((u) =>
      harness.slack.command(harness.botUrl, { text: REFERENCE_GOAL, user_id: u, channel_id: 'C1' }),
    ),
  );
  await until(() => harness.store.listSessions().length === users.length, 'every session to exist');
  return harness.store.listSessions().map((s) => s.threadKey.slice(s.threadKey.lastIndexOf(':') + 1));
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
