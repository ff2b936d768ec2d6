import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The newest ephemeral answer (response_url) ff2 gave. */
async function lastPrivateAnswer(harness: SlackHarness, count: number): Promise<string> {
  const call = await harness.slack.waitFor(
    (c) => c.method === 'response' && harness.slack.of('response').length >= count,
  );
  void call;
  return String(harness.slack.of('response').at(-1)!.body.text);
}

describe('Slack quotas', () => {
  it('refuses a session past the active and daily limits with the limit, the count and the reset', async () => {
    // 2026-12-02 23:00 UTC: one hour before the daily count resets.
    let now = Date.UTC(2026, 11, 2, 23, 0, 0);
    h = await startSlackHarness(
      referenceGoalScript(),
      { FF2_MAX_ACTIVE_SESSIONS_PER_USER: '1', FF2_MAX_SESSIONS_PER_USER_PER_DAY: '2' },
      { now: () => now },
    );
    const first = await h.command(REFERENCE_GOAL);
    await h.idle();
    expect(h.session(first).status).toBe('waiting');

    // Active limit: one session not ended.
    await h.slack.command(h.botUrl, { text: REFERENCE_GOAL, user_id: 'U1', channel_id: 'C1' });
    let text = await lastPrivateAnswer(h, 1);
    expect(text).toContain('You have 1 sessions in progress; the limit is 1 per person');
    expect(text).toContain('FF2_MAX_ACTIVE_SESSIONS_PER_USER');
    expect(h.store.listSessions()).toHaveLength(1);

    // Ending it frees the slot.
    await h.click('Cancel', first);
    await h.idle();
    const second = await h.command(REFERENCE_GOAL);
    await h.idle();
    await h.click('Cancel', second);
    await h.idle();

    // Daily limit: two started today.
    await h.slack.command(h.botUrl, { text: REFERENCE_GOAL, user_id: 'U1', channel_id: 'C1' });
    text = await lastPrivateAnswer(h, 2);
    expect(text).toContain('You have started 2 sessions today; the limit is 2 a day');
    expect(text).toContain('resets at 00:00 UTC, in 1 h 0 min');
    expect(h.store.listSessions()).toHaveLength(2);

    // Another person is not affected; and after midnight U1 may start again.
    const other = await h.command(REFERENCE_GOAL, 'U2');
    await h.idle();
    expect(h.session(other).ownerId).toBe('slack:U2');
    now += 60 * 60 * 1000 + 1000;
    const third = await h.command(REFERENCE_GOAL);
    await h.idle();
    expect(h.session(third).ownerId).toBe('slack:U1');
  });
});

describe('budget Continue', () => {
  it('is refused to the owner and accepted from an approver, once per session', async () => {
    h = await startSlackHarness(referenceGoalScript(), { FF2_BUDGET_TOKENS: '3000' });
    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    await h.click('Approve', thread);
    await h.idle();
    expect(h.session(thread).stage).toBe('budget_paused');
    expect(h.messages(thread).at(-1)!.text).toContain('An approver can grant one more budget');

    await h.click('Continue', thread, 'U1');
    await h.idle();
    const refusal = await h.slack.waitFor(
      (c) => c.method === 'response' && String(c.body.text).includes('Only an approver'),
    );
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral' });
    expect(h.session(thread).stage).toBe('budget_paused');

    const calls = h.llm.calls.length;
    await h.click('Continue', thread, 'UAPPROVER');
    await h.idle();
    expect(h.llm.calls.length).toBeGreaterThan(calls);
    expect(h.messages(thread).some((m) => m.text.includes('slack:UAPPROVER granted another budget'))).toBe(
      true,
    );

    // The second pause cannot be continued again (FF2_MAX_BUDGET_CONTINUES=1).
    expect(h.session(thread).stage).toBe('budget_paused');
    await h.click('Continue', thread, 'UAPPROVER');
    await h.idle();
    await h.slack.waitFor(
      (c) => c.method === 'response' && String(c.body.text).includes('FF2_MAX_BUDGET_CONTINUES=1'),
    );
    expect(h.session(thread).stage).toBe('budget_paused');
  });
});
