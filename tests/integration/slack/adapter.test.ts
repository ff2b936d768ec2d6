import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackAdapter } from '../../../src/bots/slack/adapter.js';
import { createSlackFrontDoor } from '../../../src/bots/slack/create.js';
import {
  type ActionEvent,
  type ChatEvent,
  decodeThreadKey,
  encodeThreadKey,
  type FileEvent,
} from '../../../src/bots/types.js';
import { loadConfig } from '../../../src/config.js';
import { AdapterError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { channelKeyOf } from '../../../src/pipeline/thread-key.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';

/** Real @slack/bolt (HTTP receiver) against the Slack stand-in; events go to a recording sink. */
let slack: SlackServer;
let adapter: SlackAdapter;
let events: ChatEvent[];
let botUrl: string;

async function startBot(extraEnv: Record<string, string> = {}): Promise<SlackAdapter> {
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      FF2_HTTP_PORT: '0',
      FF2_DATA_DIR: '/tmp/ff2-slack-adapter-test',
      FF2_MAX_INPUT_MB: '1',
      ...extraEnv,
    },
    '/tmp',
  );
  const bot = await createSlackFrontDoor(config, silentLogger, { host: '127.0.0.1' });
  if (!bot) throw new Error('slack not configured');
  await bot.start(async (event) => {
    // Like the router: an admitted start opens its thread (the root message) first.
    if (event.kind === 'start' && event.openThread) {
      const threadId = await event.openThread();
      if (!threadId) return; // the adapter told the person; no session
      event.thread = { ...event.thread, threadId };
    }
    events.push(event);
  });
  return bot;
}

async function waitForEvent<K extends ChatEvent['kind']>(
  kind: K,
  count = 1,
): Promise<Extract<ChatEvent, { kind: K }>> {
  for (let i = 0; i < 500; i++) {
    const found = events.filter((e) => e.kind === kind);
    if (found.length >= count) return found[count - 1] as Extract<ChatEvent, { kind: K }>;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no ${kind} event; got ${events.map((e) => e.kind).join(', ')}`);
}

beforeEach(async () => {
  events = [];
  slack = await startSlackServer();
  adapter = await startBot();
  botUrl = `http://127.0.0.1:${adapter.port}/slack/events`;
});

afterEach(async () => {
  await adapter.stop();
  await slack.close();
});

describe('Slack adapter over HTTP', () => {
  it('acks /ff2 <goal>, posts the root message and emits a start event in its thread', async () => {
    const ack = await slack.command(botUrl, { text: 'a CSV deduper with preview' });
    expect(ack.status).toBe(200);
    const start = await waitForEvent('start');
    const root = await slack.waitFor((c) => c.method === 'chat.postMessage');
    expect(root.body).toMatchObject({ channel: 'C1', text: '<@U1> started: a CSV deduper with preview' });
    expect(root.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(start).toMatchObject({
      kind: 'start',
      goal: 'a CSV deduper with preview',
      user: { id: 'U1', name: 'ann' },
      thread: { platform: 'slack', channelId: 'C1', threadId: '1712000000.000002' },
    });
    expect(start.id).toMatch(/^trigger\./);
  });

  it('never posts a goal containing <!channel> raw', async () => {
    await slack.command(botUrl, {
      text: 'ping <!channel> and <!here|here> then <https://evil.example|docs>',
    });
    const start = await waitForEvent('start');
    const root = await slack.waitFor((c) => c.method === 'chat.postMessage');
    expect(String(root.body.text)).not.toMatch(/<!|<https/);
    expect(start.goal).toBe('ping @channel and @here then docs (https://evil.example)');
    await adapter.send(start.thread, { text: `Goal: ${start.goal} <!channel>`, title: '<!here>' });
    const posted = slack.of('chat.postMessage')[1]!;
    expect(JSON.stringify(posted.body)).not.toMatch(/<!|<https/);
  });

  it('rejects bad, stale and future signatures with 401 and acts on none', async () => {
    // Read the clock at each request: a slow machine must not carry a timestamp back inside the window.
    const now = () => Math.floor(Date.now() / 1000);
    expect((await slack.command(botUrl, { text: 'x' }, { tamper: true })).status).toBe(401);
    expect((await slack.command(botUrl, { text: 'x' }, { secret: 'wrong' })).status).toBe(401);
    expect((await slack.command(botUrl, { text: 'x' }, { timestamp: now() - 330 })).status).toBe(401);
    expect((await slack.command(botUrl, { text: 'x' }, { timestamp: now() + 330 })).status).toBe(401);
    const missing = await fetch(botUrl, {
      method: 'POST',
      body: 'text=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(missing.status).toBe(401);
    // A good request afterwards proves the bot was listening all along.
    expect((await slack.command(botUrl, { text: 'y' }, { timestamp: now() + 200 })).status).toBe(200);
    await waitForEvent('start');
    expect(events).toHaveLength(1);
    expect(slack.of('chat.postMessage')).toHaveLength(1);
  });

  it('answers /ff2, help, list and cancel privately through the response_url', async () => {
    for (const text of ['', 'help', 'list', 'cancel s123']) await slack.command(botUrl, { text });
    const last = await waitForEvent('command', 4);
    expect(
      events
        .filter((e) => e.kind === 'command')
        .map((e) => (e.kind === 'command' ? [e.command, e.args] : [])),
    ).toEqual([
      ['help', ''],
      ['help', ''],
      ['list', ''],
      ['cancel', 's123'],
    ]);
    await last.respond?.('Cancelled <s123>.');
    const reply = await slack.waitFor((c) => c.method === 'response');
    expect(reply.body).toMatchObject({ response_type: 'ephemeral', text: 'Cancelled &lt;s123&gt;.' });
    expect(slack.of('chat.postMessage')).toHaveLength(0);
  });

  it('turns thread replies into message events and attached files into file events', async () => {
    const file = slack.addFile('sample.csv', new TextEncoder().encode('a,b\n1,2\n'));
    const big = slack.addFile('big.bin', new Uint8Array(2 * 1024 * 1024));
    await slack.event(
      botUrl,
      {
        type: 'message',
        channel: 'C1',
        user: 'U1',
        text: 'use &lt;50 rows',
        ts: '1712000001.000001',
        thread_ts: '1712000000.000001',
      },
      'Ev1',
    );
    await slack.event(
      botUrl,
      {
        type: 'message',
        subtype: 'file_share',
        channel: 'C1',
        user: 'U1',
        text: 'here',
        ts: '1712000001.000002',
        thread_ts: '1712000000.000001',
        files: [file, big],
      },
      'Ev2',
    );
    // Top-level chatter and other bots are not session traffic.
    await slack.event(
      botUrl,
      { type: 'message', channel: 'C1', user: 'U2', text: 'lunch?', ts: '1712000001.000003' },
      'Ev3',
    );
    await slack.event(
      botUrl,
      {
        type: 'message',
        channel: 'C1',
        bot_id: 'B9',
        text: 'beep',
        ts: '1712000001.000004',
        thread_ts: '1712000000.000001',
      },
      'Ev4',
    );
    const message = await waitForEvent('message');
    expect(message).toMatchObject({
      id: 'Ev1',
      text: 'use <50 rows',
      user: { id: 'U1' },
      thread: { channelId: 'C1', threadId: '1712000000.000001' },
    });
    const fileEvent = (await waitForEvent('file')) as FileEvent;
    expect(fileEvent).toMatchObject({
      id: 'Ev2:0',
      name: 'sample.csv',
      text: 'here',
      size: 8,
      index: 0,
      filesInMessage: 2,
    });
    // Announced, not downloaded: the router decides whether to fetch it.
    expect(fileEvent.bytes).toBeUndefined();
    const bigEvent = (await waitForEvent('file', 2)) as FileEvent;
    expect(bigEvent).toMatchObject({ id: 'Ev2:1', name: 'big.bin', size: 2 * 1024 * 1024 });
    expect(slack.of('download')).toHaveLength(0);
    expect(new TextDecoder().decode(await fileEvent.download!(1024))).toBe('a,b\n1,2\n');
    const download = await slack.waitFor((c) => c.method === 'download');
    expect(download.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    // A download past the cap stops and says so (undefined).
    expect(await bigEvent.download!(1024)).toBeUndefined();
    // Chatter and bot posts (Ev3, Ev4) make no event: a later reply (observable) arrives alone,
    // and nothing else follows within a bounded quiet period.
    await slack.event(
      botUrl,
      {
        type: 'message',
        channel: 'C1',
        user: 'U1',
        text: 'next',
        ts: '1712000001.000005',
        thread_ts: '1712000000.000001',
      },
      'Ev5',
    );
    await waitForEvent('message', 2);
    for (let waited = 0; waited < 300 && events.length === 4; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    expect(events.map((e) => e.id)).toEqual(['Ev1', 'Ev2:0', 'Ev2:1', 'Ev5']);
  });

  it('emits button clicks as action events and answers privately', async () => {
    await adapter.send(
      { platform: 'slack', channelId: 'C1', threadId: '1712000000.000001' },
      { text: 'Run it?', sessionId: 's1', buttons: [[{ action: 'run', label: 'Run', value: 'v' }]] },
    );
    const posted = await slack.waitFor((c) => c.method === 'chat.postMessage');
    const button = (
      posted.body.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]
    ).find((b) => b.type === 'actions')!.elements![0]!;
    await slack.action(botUrl, {
      type: 'block_actions',
      user: { id: 'U2', username: 'bob' },
      channel: { id: 'C1', name: 'general' },
      container: { type: 'message', message_ts: '1712000000.000009', channel_id: 'C1' },
      message: { type: 'message', ts: '1712000000.000009', thread_ts: '1712000000.000001', text: 'Run it?' },
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: 'b',
          value: button.value,
          action_ts: '1712000002.1',
        },
      ],
    });
    const action = (await waitForEvent('action')) as ActionEvent;
    expect(action).toMatchObject({
      id: '1712000000.000009:1712000002.1',
      sessionId: 's1',
      action: 'run',
      value: 'v',
      user: { id: 'U2', name: 'bob' },
      thread: { channelId: 'C1', threadId: '1712000000.000001' },
      message: { channelId: 'C1', messageId: '1712000000.000009' },
    });
    await action.respond?.('Only the owner can do that.');
    expect((await slack.waitFor((c) => c.method === 'response')).body).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
    });
  });

  it('opens a modal for "Request changes" on a channel card and emits its text', async () => {
    const card = { type: 'message', ts: '1712000000.000050', text: 'Review' };
    await slack.action(botUrl, {
      type: 'block_actions',
      user: { id: 'U3', username: 'cy' },
      channel: { id: 'C1', name: 'general' },
      container: { type: 'message', message_ts: card.ts, channel_id: 'C1' },
      message: card,
      actions: [
        { type: 'button', action_id: 'ff2|s1|review_changes|0.1', block_id: 'b', action_ts: '1712000003.1' },
      ],
    });
    const open = await slack.waitFor((c) => c.method === 'views.open');
    const view = open.body.view as { callback_id: string; private_metadata: string };
    expect(events).toHaveLength(0);
    await slack.action(botUrl, {
      type: 'view_submission',
      user: { id: 'U3', name: 'cy' },
      view: {
        id: 'V1',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: { text: { text: { type: 'plain_text_input', value: 'add a --dry-run flag' } } } },
      },
    });
    const action = (await waitForEvent('action')) as ActionEvent;
    expect(action).toMatchObject({
      id: 'view:V1',
      sessionId: 's1',
      action: 'review_changes',
      value: 'add a --dry-run flag',
      thread: { channelId: 'C1', threadId: '' },
    });
  });

  it('starts a session from a top-level mention in the mention thread', async () => {
    await slack.event(
      botUrl,
      {
        type: 'app_mention',
        channel: 'C1',
        user: 'U1',
        text: '<@UBOT0001> a todo list app',
        ts: '1712000005.000001',
      },
      'EvM',
    );
    const start = await waitForEvent('start');
    expect(start).toMatchObject({
      id: 'EvM',
      goal: 'a todo list app',
      thread: { channelId: 'C1', threadId: '1712000005.000001' },
    });
  });

  it('sends Block Kit into the thread, uploads files there, and edits with chat.update', async () => {
    const thread = { platform: 'slack' as const, channelId: 'C1', threadId: '1712000000.000001' };
    const ref = await adapter.send(thread, {
      text: 'Script ready',
      files: [{ name: 'script.py', bytes: new TextEncoder().encode('print(1)\n') }],
    });
    const post = slack.of('chat.postMessage')[0]!;
    expect(ref).toEqual({
      platform: 'slack',
      channelId: 'C1',
      messageId: expect.stringMatching(/^1712000000\.\d+$/),
    });
    expect(post.body).toMatchObject({ channel: 'C1', thread_ts: thread.threadId, text: 'Script ready' });
    const complete = await slack.waitFor((c) => c.method === 'files.completeUploadExternal');
    expect(complete.body).toMatchObject({ channel_id: 'C1', thread_ts: thread.threadId });
    const upload = await slack.waitFor((c) => c.method === 'upload');
    const bytes = Object.values(upload.body).find((v) => v instanceof Uint8Array) as Uint8Array;
    expect(new TextDecoder().decode(bytes)).toBe('print(1)\n');
    const edited = await adapter.send(thread, { text: 'Done: Run', replaces: ref });
    expect(edited).toEqual(ref);
    expect(slack.of('chat.update')[0]!.body).toMatchObject({
      channel: 'C1',
      ts: ref.messageId,
      text: 'Done: Run',
    });
    // The review card goes to the channel; its files go to the card's own thread.
    const card = await adapter.send(
      { ...thread, threadId: '' },
      { text: 'Review', files: [{ name: 'a.py', bytes: new Uint8Array([1]) }] },
    );
    expect(slack.of('chat.postMessage')[1]!.body.thread_ts).toBeUndefined();
    await slack.waitFor(
      (c) => c.method === 'files.completeUploadExternal' && c.body.thread_ts === card.messageId,
    );
  });

  it('maps 429 to a retryable error with the Retry-After wait, 5xx to retryable, platform errors to final', async () => {
    const thread = { platform: 'slack' as const, channelId: 'C1', threadId: '1.1' };
    slack.failNext('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '2' },
      body: { ok: false, error: 'ratelimited' },
    });
    slack.failNext('chat.postMessage', { status: 503, body: 'busy' });
    slack.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'channel_not_found' } });
    const errors: AdapterError[] = [];
    for (let i = 0; i < 3; i++)
      await adapter.send(thread, { text: 'x' }).catch((e: AdapterError) => errors.push(e));
    expect(errors.map((e) => [e instanceof AdapterError, e.retryable, e.retryAfterMs])).toEqual([
      [true, true, 2000],
      [true, true, undefined],
      [true, false, undefined],
    ]);
    await expect(adapter.send(thread, { text: 'x' })).resolves.toMatchObject({ channelId: 'C1' });
  });

  it('thread keys round-trip: the key stored for a start addresses its thread, and its channel key the channel', async () => {
    await slack.command(botUrl, { text: 'a CSV deduper' });
    const start = await waitForEvent('start');
    const key = encodeThreadKey(start.thread);
    expect(key).toBe(`slack:C1:${start.thread.threadId}`);
    expect(decodeThreadKey(key)).toEqual(start.thread);
    await adapter.send(decodeThreadKey(key), { text: 'in the thread' });
    await adapter.send(decodeThreadKey(channelKeyOf(key)), { text: 'in the channel' });
    const posts = slack.of('chat.postMessage').filter((c) => String(c.body.text).startsWith('in the'));
    expect(posts.map((c) => [c.body.channel, c.body.thread_ts])).toEqual([
      ['C1', start.thread.threadId],
      ['C1', undefined],
    ]);
  });

  it('serves /healthz', async () => {
    const res = await fetch(`http://127.0.0.1:${adapter.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
