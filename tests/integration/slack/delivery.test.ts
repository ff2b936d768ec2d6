import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SlackAdapter } from '../../../src/bots/slack/adapter.js';
import { createSlackFrontDoor } from '../../../src/bots/slack/create.js';
import type { ThreadRef } from '../../../src/bots/types.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';

/**
 * The Slack adapter's at-most-once posting against the stand-in (real Bolt WebClient): posts carry
 * the row id as `ff2_outbox` metadata; a row that may have gone out is looked up in the thread
 * first, files by name; a lookup Slack refuses for good does not lose the message.
 */
let slack: SlackServer;
let adapter: SlackAdapter;
const thread: ThreadRef = { platform: 'slack', channelId: 'C1', threadId: '' };

beforeEach(async () => {
  slack = await startSlackServer();
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      FF2_HTTP_PORT: '0',
      FF2_DATA_DIR: '/tmp/ff2-slack-delivery-test',
    },
    '/tmp',
  );
  adapter = (await createSlackFrontDoor(config, silentLogger, { host: '127.0.0.1' }))!;
  await adapter.start(async () => {});
  const root = await adapter.send(thread, { text: 'root' });
  thread.threadId = root.messageId;
});

afterEach(async () => {
  await adapter.stop();
  await slack.close();
});

const file = (name: string) => ({ name, bytes: new TextEncoder().encode(name) });

it('tags posts with the row id and does not post or upload again what is already in the thread', async () => {
  const before = await adapter.send(thread, { text: 'earlier' });
  const ref = await adapter.send(thread, {
    text: 'the script',
    files: [file('script.py')],
    delivery: { id: '42', since: Date.now(), check: false },
  });
  expect(slack.thread('C1', thread.threadId).find((m) => m.ts === ref.messageId)?.metadata).toEqual({
    event_type: 'ff2_outbox',
    event_payload: { id: '42' },
  });
  // Sent again after a crash: found by its id, the file found by name, nothing new is posted.
  const again = await adapter.send(thread, {
    text: 'the script',
    files: [file('script.py')],
    delivery: { id: '42', since: Date.now(), check: true, after: before.messageId },
  });
  expect(again).toEqual(ref);
  expect(slack.of('chat.postMessage')).toHaveLength(3);
  expect(slack.of('files.completeUploadExternal')).toHaveLength(1);
  const replies = slack.of('conversations.replies').at(-1)!;
  expect(replies.body).toMatchObject({ include_all_metadata: 'true', oldest: before.messageId });
});

it('uploads only the files that did not make it, and posts a row it cannot find', async () => {
  const hung = slack.hangNext((c) => c.method === 'files.completeUploadExternal', 'before');
  const first = adapter
    .send(thread, {
      text: 'two files',
      files: [file('a.txt')],
      delivery: { id: '7', since: 0, check: false },
    })
    .catch(() => undefined);
  await hung;
  void first;
  await adapter.send(thread, {
    text: 'two files',
    files: [file('a.txt')],
    delivery: { id: '7', since: 0, check: true },
  });
  expect(slack.of('chat.postMessage').filter((c) => c.body.text === 'two files')).toHaveLength(1);
  expect(
    slack
      .thread('C1', thread.threadId)
      .flatMap((m) => m.files ?? [])
      .map((f) => f.name),
  ).toEqual(['a.txt']);
  await adapter.send(thread, { text: 'never sent', delivery: { id: '8', since: 0, check: true } });
  expect(slack.of('chat.postMessage').filter((c) => c.body.text === 'never sent')).toHaveLength(1);
});

it('posts anyway when Slack refuses the lookup for good (missing scope), instead of losing the message', async () => {
  slack.failNext('conversations.replies', { status: 200, body: { ok: false, error: 'missing_scope' } });
  await adapter.send(thread, { text: 'answer', delivery: { id: '9', since: 0, check: true } });
  expect(slack.of('chat.postMessage').filter((c) => c.body.text === 'answer')).toHaveLength(1);
});
