import { afterEach, describe, expect, it } from 'vitest';
import { CRLF_TABS, ownScriptModel, templateModel } from '../../fakes/start-from-models.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

const UIDS = { TEST_UID_BASE: '66701' };
let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function approveAndRun(harness: SlackHarness, thread: string, approvals: number) {
  for (let i = 0; i < approvals; i++) {
    await harness.click('Approve', thread);
    await harness.idle();
  }
  expect(harness.session(thread).stage).toBe('approve_run');
  await harness.click('Run', thread);
  await harness.idle();
  expect(harness.session(thread).stage).toBe('give_feedback');
  expect(harness.store.listRuns(harness.session(thread).id).at(-1)?.status).toBe('ok');
}

describe('/ff2 on Slack from a template or a script', { timeout: 60_000 }, () => {
  it('lists templates privately and starts from:<name> to a passing run', async () => {
    h = await startSlackHarness(templateModel, UIDS);
    const before = h.slack.of('response').length;
    await h.slack.command(h.botUrl, { text: 'templates', user_id: 'U1', user_name: 'u1', channel_id: 'C1' });
    await h.idle();
    const listed = h.slack.of('response').slice(before);
    expect(listed[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(listed[0]?.body)).toContain('csv-transform');
    const thread = await h.command('from:csv-transform filter a CSV and sort it');
    await h.idle();
    expect(h.session(thread).goal).toBe('filter a CSV and sort it');
    expect(h.session(thread).stage).toBe('approve_outline');
    await approveAndRun(h, thread, 1);
    expect(h.llm.calls.filter((c) => c.task === 'generate').map((c) => c.section)).toEqual(['transform']);
  });

  it('starts from a .py attached to the starting mention, with no model call before the outline gate', async () => {
    h = await startSlackHarness(ownScriptModel, UIDS);
    const file = h.slack.addFile('greet.py', new TextEncoder().encode(CRLF_TABS));
    const ts = '1716000000.000001';
    await h.slack.event(
      h.botUrl,
      {
        type: 'app_mention',
        channel: 'C1',
        user: 'U1',
        text: '<@UBOT0001> add a --shout flag',
        ts,
        files: [file],
      },
      'EvMention1',
    );
    await h.idle();
    expect(h.session(ts).stage).toBe('approve_outline');
    expect(h.llm.calls).toHaveLength(0);
    expect(h.store.listScriptVersions(h.session(ts).id)[0]!.code).toBe(CRLF_TABS);
    await approveAndRun(h, ts, 2);
  });

  it('takes a .py posted in the thread before the first answer as the script to start from', async () => {
    h = await startSlackHarness(ownScriptModel, UIDS);
    const thread = await h.command('add a --shout flag');
    await h.idle();
    expect(h.session(thread).stage).toBe('answer_questions');
    await h.attach(thread, 'greet.py', new TextEncoder().encode(CRLF_TABS));
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_outline');
    expect(h.store.listScriptVersions(h.session(thread).id)[0]!.code).toBe(CRLF_TABS);
    await approveAndRun(h, thread, 2);
  });
});
