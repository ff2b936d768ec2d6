import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function shipped(harness: SlackHarness): Promise<string> {
  const thread = await harness.command(REFERENCE_GOAL);
  await harness.idle();
  await harness.click('Approve', thread);
  await harness.idle();
  await harness.click('Run', thread);
  await harness.idle();
  await harness.reply(thread, 'ship it');
  await harness.idle();
  expect(harness.session(thread).stage).toBe('shipped');
  return thread;
}

describe('team review policy', () => {
  it("keeps the requester's own Approve as a comment (others) and shows who approved on the card", async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await shipped(h);
    const session = h.session(thread);
    await h.click('Approve', '', 'U1');
    await h.idle();
    expect(h.store.listReviews(session.id)).toEqual([]);
    expect(h.store.listEvents(session.id).some((e) => e.type === 'comment' && e.actor === 'slack:U1')).toBe(
      true,
    );
    const note = await h.slack.waitFor(
      (c) => c.method === 'response' && String(c.body.text).includes('FF2_REVIEW_POLICY=others'),
    );
    expect(note.body).toMatchObject({ response_type: 'ephemeral' });

    await h.click('Approve', '', 'UAPPROVER');
    await h.idle();
    expect(h.store.listReviews(session.id).map((r) => [r.reviewer, r.verdict])).toEqual([
      ['slack:UAPPROVER', 'approved'],
    ]);
    const card = h.findButton('Request changes', '')!.message;
    expect(card.text).toContain('Approved by: UAPPROVER');
    expect(card.text).not.toContain('U1,');
  });

  it('counts the requester’s own Approve with FF2_REVIEW_POLICY=any', async () => {
    h = await startSlackHarness(referenceGoalScript(), { FF2_REVIEW_POLICY: 'any' });
    const thread = await shipped(h);
    await h.click('Approve', '', 'U1');
    await h.idle();
    expect(h.store.listReviews(h.session(thread).id).map((r) => r.reviewer)).toEqual(['slack:U1']);
    expect(h.findButton('Approve', '')!.message.text).toContain('Approved by: U1');
  });
});
