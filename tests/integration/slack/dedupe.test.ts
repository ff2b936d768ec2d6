import { afterEach, describe, expect, it } from 'vitest';
import { StaleSessionError } from '../../../src/errors.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('dedupe row and step in one transaction', () => {
  it('acts on a redelivered click whose first handling failed before its commit', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    const { message, button } = h.findButton('Approve', thread)!;
    const click = {
      type: 'block_actions',
      user: { id: 'U1', username: 'u1' },
      channel: { id: 'C1', name: 'general' },
      container: { type: 'message', message_ts: message.ts, channel_id: 'C1', thread_ts: thread },
      message: { type: 'message', ts: message.ts, thread_ts: thread, text: message.text },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', action_ts: '1719000000.7' }],
    };
    // The first handling dies inside the step's commit (as a crash would): nothing is written.
    const store = h.store;
    const commit = store.commit.bind(store);
    let failures = 1;
    store.commit = (id, version, step) => {
      if (failures-- > 0) {
        expect(step.inbound?.id).toBe(`${message.ts}:1719000000.7`);
        throw new StaleSessionError(id, version, version);
      }
      return commit(id, version, step);
    };
    await h.slack.action(h.botUrl, click);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_outline');
    expect(store.hasInbound(`${message.ts}:1719000000.7`)).toBe(false);
    // Slack's redelivery of the same click is not dropped: the outline gets approved.
    await h.slack.action(h.botUrl, click);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_run');
    expect(store.hasInbound(`${message.ts}:1719000000.7`)).toBe(true);
    // A third delivery is a repeat: dropped.
    const version = h.session(thread).version;
    await h.slack.action(h.botUrl, click);
    await h.idle();
    expect(h.session(thread).version).toBe(version);
  });
});
