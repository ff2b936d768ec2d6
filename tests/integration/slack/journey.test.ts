import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_CSV, REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { everythingSent, type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('ff2 in Slack', () => {
  it('goes from /ff2 to a shipped script in the thread, then the team reviews it in the channel', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_outline');
    expect(h.messages(thread).some((m) => m.blocks.some((b) => b.text?.text.includes('parse_args(')))).toBe(
      true,
    );

    const approve = h.findButton('Approve', thread)!;
    await h.click('Approve', thread); // by button
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_run');
    // A second click on the outline's Approve (a stale button) gets a private note and changes nothing.
    const responsesBefore = h.slack.of('response').length;
    await h.slack.action(h.botUrl, {
      type: 'block_actions',
      user: { id: 'U1', username: 'u1' },
      channel: { id: 'C1', name: 'general' },
      container: { type: 'message', message_ts: approve.message.ts, channel_id: 'C1', thread_ts: thread },
      message: { type: 'message', ts: approve.message.ts, thread_ts: thread, text: approve.message.text },
      actions: [
        { type: 'button', action_id: approve.button.action_id, block_id: 'b', action_ts: '1719000000.1' },
      ],
    });
    await h.idle();
    const stale = h.slack.of('response').slice(responsesBefore);
    expect(stale).toHaveLength(1);
    expect(stale[0]!.body).toMatchObject({ response_type: 'ephemeral' });
    expect(h.session(thread).stage).toBe('approve_run');
    // The finished step's buttons were replaced by the choice made.
    expect(h.slack.of('chat.update').length).toBeGreaterThan(0);
    await h.click('Run', thread);
    await h.idle();
    expect(h.session(thread).stage).toBe('give_feedback');

    await h.reply(thread, 'ship it'); // by thread reply
    await h.idle();
    const shipped = h.session(thread);
    expect(shipped).toMatchObject({ stage: 'shipped', status: 'done', ownerId: 'slack:U1' });

    // Script files went into the thread with files.uploadV2.
    const uploads = h.slack.of('files.completeUploadExternal');
    expect(uploads.some((u) => u.body.thread_ts === thread)).toBe(true);
    const names = h.slack.of('files.getUploadURLExternal').map((c) => c.body.filename);
    expect(names).toContain('script.py');

    // The review card is a channel message (not in the thread) with Approve / Request changes.
    const card = h.findButton('Request changes', '');
    expect(card, JSON.stringify(h.messages(''))).toBeDefined();
    expect(card!.message.threadTs).toBeUndefined();
    expect(uploads.some((u) => u.body.thread_ts === card!.message.ts)).toBe(true);

    await h.click('Approve', '', 'UAPPROVER');
    await h.idle();
    expect(h.store.listReviews(shipped.id).map((r) => [r.reviewer, r.verdict])).toEqual([
      ['slack:UAPPROVER', 'approved'],
    ]);

    // Request changes opens a modal; its submission reopens the session.
    await h.click('Request changes', '', 'UAPPROVER');
    const open = await h.slack.waitFor((c) => c.method === 'views.open');
    const view = open.body.view as { callback_id: string; private_metadata: string };
    await h.slack.action(h.botUrl, {
      type: 'view_submission',
      user: { id: 'UAPPROVER', name: 'approver' },
      view: {
        id: 'V1',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: {
          values: { text: { text: { type: 'plain_text_input', value: 'also print a summary line' } } },
        },
      },
    });
    await h.idle();
    expect(h.store.listReviews(shipped.id).map((r) => r.verdict)).toEqual(['approved', 'changes_requested']);
    expect(h.session(thread).status).not.toBe('done');
    expect(h.messages(thread).some((m) => m.text.includes('Changes were requested'))).toBe(true);

    // Nothing was posted twice in the thread.
    const posts = h.slack.of('chat.postMessage').map((c) => JSON.stringify(c.body));
    expect(new Set(posts).size).toBe(posts.length);
  });

  it('takes interview answers by button and by thread reply', async () => {
    h = await startSlackHarness(
      referenceGoalScript({
        questions: [
          {
            question: 'Which columns are the key?',
            choices: ['all columns', 'id only'],
            default: 'all columns',
          },
          {
            question: 'Where should the report go?',
            choices: ['report.txt', 'stderr'],
            default: 'report.txt',
          },
        ],
      }),
    );
    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    expect(h.session(thread).stage).toBe('answer_questions');
    expect(h.findButton('id only', thread)).toBeDefined();
    await h.click('id only', thread);
    await h.idle();
    await h.reply(thread, 'stderr please');
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_outline');
    const outlinePrompt = h.llm.calls.find((c) => c.task === 'outline')!;
    const prompt = outlinePrompt.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('id only');
    expect(prompt).toContain('stderr please');
  });

  it('passes a file attached in the thread to the sandbox as an input file', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    await h.click('Approve', thread);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_run');
    await h.attach(thread, 'people.csv', new TextEncoder().encode(REFERENCE_CSV));
    await h.idle();
    expect(h.messages(thread).some((m) => m.text.includes('Saved people.csv'))).toBe(true);
    await h.click('Run', thread);
    await h.idle();
    const withInput = h.runs.find((r) => r.inputFiles && 'people.csv' in r.inputFiles);
    expect(withInput).toBeDefined();
    expect(new TextDecoder().decode(withInput!.inputFiles!['people.csv'])).toBe(REFERENCE_CSV);
  });

  it('refuses a stranger’s click privately and keeps their reply as a comment', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    await h.click('Approve', thread, 'USTRANGER');
    await h.reply(thread, 'cancel', 'USTRANGER');
    await h.idle();
    const refusal = await h.slack.waitFor(
      (c) => c.method === 'response' && String(c.body.text).includes('only the person'),
    );
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const session = h.session(thread);
    expect(session.stage).toBe('approve_outline');
    expect(
      h.store.listEvents(session.id).some((e) => e.type === 'comment' && e.actor === 'slack:USTRANGER'),
    ).toBe(true);
  });

  it('handles an event delivered four times (Slack retries) once', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const event = {
      type: 'app_mention',
      channel: 'C1',
      user: 'U1',
      text: `<@UBOT0001> ${REFERENCE_GOAL}`,
      ts: '1715000000.000001',
    };
    for (let retry = 0; retry < 4; retry++) {
      const res = await h.slack.event(
        h.botUrl,
        event,
        'EvSame',
        retry > 0
          ? { headers: { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } }
          : {},
      );
      expect(res.status).toBe(200);
    }
    await h.idle();
    expect(h.session('1715000000.000001').stage).toBe('approve_outline');
    expect(h.llm.countByTask()).toMatchObject({ interview: 1, outline: 1 });
    const outlines = h
      .messages('1715000000.000001')
      .filter((m) => m.blocks.some((b) => b.text?.text.includes('parse_args(')));
    expect(outlines).toHaveLength(1);
  });

  it('delivers messages once after a 429 on chat.postMessage, honouring Retry-After', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const limited = {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { ok: false, error: 'ratelimited' },
    };
    // The root message takes a 429: /ff2 still acks at once, the root is posted after the wait.
    h.slack.failNext('chat.postMessage', limited);
    const thread = await h.command(REFERENCE_GOAL);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_outline');
    // An outbox message takes a 429: the outbox waits and delivers it once.
    h.slack.failNext('chat.postMessage', limited);
    await h.click('Approve', thread);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_run');
    const posts = h.slack.of('chat.postMessage');
    const rejected = posts.filter((c) => c.reply?.status === 429);
    expect(rejected).toHaveLength(2);
    for (const failed of rejected) {
      const same = posts.filter(
        (c) =>
          c.reply?.status === 200 &&
          c.body.text === failed.body.text &&
          c.body.thread_ts === failed.body.thread_ts,
      );
      expect(same).toHaveLength(1);
      expect(same[0]!.index).toBeGreaterThan(failed.index);
    }
  });

  it('never posts <!channel> from a goal or from the model', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await h.command(`${REFERENCE_GOAL} <!channel> <!here> <@U2> <https://evil.example|docs>`);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_outline');
    const sent = everythingSent(h.slack);
    expect(sent).not.toMatch(/<!channel>|<!here|<@U2>|<https:\/\/evil/);
    expect(sent).toContain('<@U1> started:');
  });
});
