import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordStandIn, type RecordedCall } from '../../fakes/discord-server.js';
import { REFERENCE_GOAL, REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { DiscordHarness, OWNER, STRANGER } from './harness.js';

let server: DiscordStandIn;
let h: DiscordHarness | undefined;

beforeEach(async () => {
  server = await DiscordStandIn.start();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await server.close();
});

const QUESTIONS = [
  { question: 'Which delimiter?', choices: ['Comma', 'Semicolon'], default: 'Comma' },
  { question: 'Keep which duplicate?', choices: ['First', 'Last'], default: 'First' },
];
const botPosts = (c: RecordedCall) =>
  (c.method === 'POST' || c.method === 'PATCH') && /^\/channels\/\d+\/messages(\/\d+)?$/.test(c.path);

describe('ff2 on Discord, end to end', () => {
  it('runs the whole journey in the thread and posts the review message in the channel', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript({ questions: QUESTIONS }));
    const thread = await h.command(REFERENCE_GOAL);
    expect(h.session(thread).stage).toBe('answer_questions');
    expect(h.texts(thread).join('\n')).toContain('Which delimiter?');

    // One answer by button, one by thread message.
    await h.click(thread, 'Comma');
    await h.say(thread, '2. First');
    expect(h.session(thread).stage).toBe('approve_outline');

    await h.click(thread, 'Approve');
    expect(h.session(thread).stage).toBe('approve_run');
    await h.click(thread, 'Run');
    expect(h.session(thread).stage, h.texts(thread).slice(-2).join('\n')).toBe('give_feedback');
    await h.say(thread, 'ship it');
    expect(h.session(thread).stage).toBe('shipped');

    // Everything of the session happened in its thread; the review message is in the parent channel.
    const card = h.button(server.channelId, 'Request changes');
    expect(card.message.content).toContain('review');
    expect(h.button(server.channelId, 'Approve').customId).toMatch(/^ff2\|[^|]+\|review_approve/);
    const cardPost = server.calls.find(
      (c) => c.method === 'POST' && c.path === `/channels/${server.channelId}/messages`,
    )!;
    expect(cardPost.files.map((f) => f.name)).toContain('script.py');
    const shipped = server.calls.filter(
      (c) => c.path === `/channels/${thread}/messages` && c.files.some((f) => f.name === 'script.py'),
    );
    expect(
      shipped
        .at(-1)!
        .files.find((f) => f.name === 'script.py')!
        .bytes.toString(),
    ).toContain('def find_duplicates');
    for (const call of server.calls.filter(botPosts))
      expect(call.body.allowed_mentions).toEqual({ parse: [] });
    expect(server.calls.filter((c) => c.status >= 400)).toEqual([]);
  });

  it('takes an attachment in the thread as a sandbox input file', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    await h.click(thread, 'Approve');
    const csv = Buffer.from('id,name\n1,a\n1,a\n2,b\n');
    await h.say(thread, 'sample data', OWNER, [{ name: 'people.csv', bytes: csv }]);
    expect(h.texts(thread).at(-1)).toContain('people.csv');
    await h.click(thread, 'Run');
    const run = h.runs.find((r) => r.inputFiles?.['people.csv']);
    expect(Buffer.from(run!.inputFiles!['people.csv']!).toString()).toBe(csv.toString());
  });

  it("refuses a stranger's click ephemerally and keeps their message as a comment", async () => {
    h = await DiscordHarness.start(server, referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    const id = await h.click(thread, 'Approve', STRANGER);
    const refusal = await server.waitFor(
      (c) => c.method === 'POST' && c.path === `/webhooks/${server.appId}/tok-${id}`,
    );
    expect(refusal.body).toMatchObject({ flags: 64 });
    expect(refusal.body.content).toContain('only the person who started');
    await h.say(thread, 'approve it please', STRANGER);
    expect(h.session(thread).stage).toBe('approve_outline');
    expect(h.store.listEvents(h.session(thread).id).some((e) => e.type === 'comment')).toBe(true);
  });

  it('delivers a thread message once after a 429', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript());
    const path = (thread: string) => `/channels/${thread}/messages`;
    // The first post into any thread (the channel itself excluded) gets one 429.
    server.failNext(
      (c) =>
        c.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(c.path) &&
        c.path !== path(server.channelId),
      {
        status: 429,
        headers: { 'retry-after': '0.2' },
        body: { message: 'You are being rate limited.', retry_after: 0.2, global: false },
      },
    );
    const thread = await h.command(REFERENCE_GOAL);
    const posts = server.calls.filter((c) => c.method === 'POST' && c.path === path(thread));
    expect(posts[0]!.status).toBe(429);
    const delivered = posts.filter((c) => c.status === 200).map((c) => c.body.content as string);
    expect(delivered).toContain(posts[0]!.body.content);
    expect(new Set(delivered).size).toBe(delivered.length);
  });

  it('records a review from the channel and reopens the session with the modal', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    await h.click(thread, 'Approve');
    await h.click(thread, 'Run');
    await h.click(thread, 'Ship it');
    expect(h.session(thread).stage).toBe('shipped');

    await h.click(server.channelId, 'Approve', STRANGER);
    const { message, customId } = h.button(server.channelId, 'Request changes');
    const click = server.click(customId, message, OWNER);
    const modal = await server.waitFor(
      (c) => c.path === `/interactions/${click.id}/tok-${click.id}/callback`,
    );
    expect(modal.body).toMatchObject({ type: 9, data: { custom_id: customId } });
    const submit = server.submitModal(customId, 'also write a summary line', OWNER, message);
    await h.settle(submit.id);

    const reviews = h.store.listReviews(h.session(thread).id);
    expect(reviews.map((r) => [r.reviewer, r.verdict])).toEqual([
      [`discord:${STRANGER}`, 'approved'],
      [`discord:${OWNER}`, 'changes_requested'],
    ]);
    expect(reviews.at(-1)?.comment).toBe('also write a summary line');
    // The modal's text is applied as the change (then checked and run again).
    expect(h.session(thread).stage).toBe('give_feedback');
    expect(h.texts(thread).some((t) => t.includes('Changes were requested'))).toBe(true);
    expect(h.store.listScriptVersions(h.session(thread).id).at(-1)?.reason).toBe('change: write_report');
  });

  it('sends a message that would exceed 2,000 characters as a file', async () => {
    const base = referenceGoalScript();
    const spec = `${REFERENCE_OUTLINE.spec} ${'Every removed row is listed with its line number and key. '.repeat(45)}`;
    h = await DiscordHarness.start(server, (call) =>
      call.task === 'outline' ? { ...REFERENCE_OUTLINE, spec } : base(call),
    );
    const thread = await h.command(REFERENCE_GOAL);
    // The shared renderer or the adapter (whichever cuts first) attaches the full text.
    const isFullText = (name: string) => name === 'message.txt' || name === 'message.md';
    const long = server.calls.find(
      (c) => c.path === `/channels/${thread}/messages` && c.files.some((f) => isFullText(f.name)),
    );
    expect(long, 'no message went out as a file').toBeDefined();
    expect(long!.body.content.length).toBeLessThanOrEqual(2000);
    expect(long!.files.find((f) => isFullText(f.name))!.bytes.toString()).toContain(spec.slice(-200));
    for (const call of server.calls.filter(botPosts))
      expect((call.body.content ?? '').length).toBeLessThanOrEqual(2000);
  });

  it('continues a session in the same thread after a restart', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    const session = h.session(thread).id;
    await h.shutdown();

    // A new process: new client, new gateway session, same database; the thread arrives with GUILD_CREATE.
    await h.boot();
    await server.connected(2);
    await h.click(thread, 'Approve');
    expect(h.session(thread).id).toBe(session);
    expect(h.session(thread).stage).toBe('approve_run');
    await h.say(thread, 'cancel');
    expect(h.session(thread).stage).toBe('cancelled');
    const threads = new Set(
      server.calls
        .filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path))
        .map((c) => c.path),
    );
    expect([...threads]).toEqual([`/channels/${thread}/messages`]);
  });
});
