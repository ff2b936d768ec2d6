import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordAdapter } from '../../../src/bots/discord/adapter.js';
import { createDiscordFrontDoor } from '../../../src/bots/discord/create.js';
import { type ChatEvent, decodeThreadKey, encodeThreadKey } from '../../../src/bots/types.js';
import { loadConfig } from '../../../src/config.js';
import { AdapterError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { channelKeyOf } from '../../../src/pipeline/thread-key.js';
import { DiscordStandIn, until } from '../../fakes/discord-server.js';

const OWNER = '1500000000000000001';
let server: DiscordStandIn;
let adapter: DiscordAdapter;
let events: ChatEvent[];
/** What the fake router does with each event (besides recording it). */
let react: (event: ChatEvent) => Promise<void>;
let dir: string;

beforeEach(async () => {
  server = await DiscordStandIn.start();
  dir = mkdtempSync(join(tmpdir(), 'ff2-discord-'));
  const config = loadConfig(
    {
      DISCORD_TOKEN: 'bot-token',
      DISCORD_APP_ID: server.appId,
      DISCORD_API_URL: server.apiUrl,
      FF2_MAX_INPUT_MB: '1',
      FF2_DATA_DIR: dir,
    },
    dir,
  );
  adapter = (await createDiscordFrontDoor(config, silentLogger))!;
  events = [];
  react = async () => {};
  await adapter.start(async (event) => {
    // Like the router: an admitted start opens its thread first.
    if (event.kind === 'start' && event.openThread) {
      const threadId = await event.openThread();
      if (!threadId) return; // the adapter told the person; no session
      event.thread = { ...event.thread, threadId };
    }
    events.push(event);
    await react(event);
  });
});

afterEach(async () => {
  await adapter.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startSession(goal = 'dedupe a CSV file') {
  const { id } = server.slashCommand(goal, OWNER);
  await until(() => events.some((e) => e.id === id), 5000, 'start event');
  return events.find((e) => e.id === id)!;
}

describe('DiscordAdapter against the REST + Gateway stand-in', () => {
  it('thread keys round-trip: the key stored for a start addresses its thread, and its channel key the channel', async () => {
    const start = await startSession();
    const key = encodeThreadKey(start.thread);
    expect(key).toBe(`discord:${server.channelId}:${start.thread.threadId}`);
    expect(decodeThreadKey(key)).toEqual(start.thread);
    const inThread = await adapter.send(decodeThreadKey(key), { text: 'in the thread' });
    const inChannel = await adapter.send(decodeThreadKey(channelKeyOf(key)), { text: 'in the channel' });
    expect(server.messagesIn(start.thread.threadId).map((m) => m.id)).toContain(inThread.messageId);
    expect(server.messagesIn(server.channelId).map((m) => m.id)).toContain(inChannel.messageId);
  });

  it('defers /ff2, replies, opens a public thread from the reply and emits start', async () => {
    const event = await startSession('dedupe a CSV <@everyone>');
    expect(event.kind).toBe('start');
    const callback = server.calls.find((c) => c.path.endsWith('/callback'))!;
    expect(callback.body).toEqual({ type: 5, data: { flags: 0 } });
    const reply = server.calls.find((c) => c.path.endsWith('/messages/@original'))!;
    expect(reply.body.content).toContain('started: dedupe a CSV <@everyone>');
    expect(reply.body.allowed_mentions).toEqual({ parse: [] });
    const [thread] = [...server.threads.values()];
    expect(event.thread).toEqual({ platform: 'discord', channelId: server.channelId, threadId: thread.id });
    expect(event.kind === 'start' && event.goal).toBe('dedupe a CSV <@everyone>');
    expect(server.calls.find((c) => c.path.endsWith('/threads'))!.path).toContain(`/messages/`);
  });

  it('answers help ephemerally through respond', async () => {
    react = async (event) => event.respond?.('ff2 help text');
    const { id } = server.slashCommand('help', OWNER);
    await until(() => events.some((e) => e.id === id), 5000, 'command event');
    const event = events.find((e) => e.id === id)!;
    expect(event.kind === 'command' && event.command).toBe('help');
    const callback = server.calls.find((c) => c.path.endsWith('/callback'))!;
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
    const edit = await server.waitFor((c) => c.path.endsWith('/@original'));
    expect(edit.body.content).toBe('ff2 help text');
    expect(server.calls.filter((c) => c.path.includes('/webhooks/'))).toHaveLength(1);
  });

  it('reads cancel <id> as a command and anything else as a goal', async () => {
    const cancel = server.slashCommand('cancel s42', OWNER);
    const goal = server.slashCommand('list the files in a folder', OWNER);
    await until(() => events.length === 2, 5000, 'two events');
    expect(events.find((e) => e.id === cancel.id)).toMatchObject({
      kind: 'command',
      command: 'cancel',
      args: 's42',
    });
    expect(events.find((e) => e.id === goal.id)).toMatchObject({
      kind: 'start',
      goal: 'list the files in a folder',
    });
  });

  it('posts buttons that encode the session and turns clicks into action events', async () => {
    const start = await startSession();
    const ref = await adapter.send(start.thread, {
      text: 'Approve the outline?',
      sessionId: 's1',
      buttons: [
        [
          { action: 'approve_outline', label: 'Approve', style: 'primary' },
          { action: 'cancel', label: 'Cancel', style: 'danger' },
        ],
      ],
    });
    expect(ref.channelId).toBe(start.thread.threadId);
    const posted = server.messages.get(ref.messageId);
    expect(posted.components[0].components.map((b: { custom_id: string }) => b.custom_id)).toEqual([
      'ff2|s1|approve_outline',
      'ff2|s1|cancel',
    ]);
    const { id } = server.click('ff2|s1|approve_outline', posted, OWNER);
    await until(() => events.some((e) => e.id === id), 5000, 'action event');
    const click = events.find((e) => e.id === id)!;
    expect(click).toMatchObject({
      kind: 'action',
      sessionId: 's1',
      action: 'approve_outline',
      thread: start.thread,
      user: { id: OWNER },
    });
    expect(server.calls.find((c) => c.path === `/interactions/${id}/tok-${id}/callback`)!.body).toEqual({
      type: 6,
    });
    await click.respond!('Only the owner can do that.');
    const followUp = await server.waitFor(
      (c) => c.method === 'POST' && c.path === `/webhooks/${server.appId}/tok-${id}`,
    );
    expect(followUp.body).toMatchObject({
      content: 'Only the owner can do that.',
      flags: 64,
      allowed_mentions: { parse: [] },
    });
  });

  it('opens a modal for Request changes and emits its text as the action value', async () => {
    const ref = await adapter.send(
      { platform: 'discord', channelId: server.channelId, threadId: '' },
      {
        text: 'Review: dedupe.py',
        sessionId: 's2',
        buttons: [
          [
            { action: 'approve', label: 'Approve' },
            { action: 'review_changes', label: 'Request changes' },
          ],
        ],
      },
    );
    const card = server.messages.get(ref.messageId);
    expect(card.channel_id).toBe(server.channelId);
    const { id } = server.click('ff2|s2|review_changes', card, OWNER);
    const modal = await server.waitFor((c) => c.path === `/interactions/${id}/tok-${id}/callback`);
    expect(modal.body.type).toBe(9);
    expect(modal.body.data.custom_id).toBe('ff2|s2|review_changes');
    const submit = server.submitModal('ff2|s2|review_changes', 'handle empty files', OWNER, card);
    await until(() => events.some((e) => e.id === submit.id), 5000, 'modal action');
    expect(events.find((e) => e.id === submit.id)).toMatchObject({
      kind: 'action',
      sessionId: 's2',
      action: 'review_changes',
      value: 'handle empty files',
      thread: { platform: 'discord', channelId: server.channelId, threadId: '' },
    });
  });

  it('turns thread messages into message events and attachments into file events', async () => {
    const start = await startSession();
    const threadId = start.thread.threadId;
    const m1 = server.postMessage(threadId, OWNER, 'use commas');
    const m2 = server.postMessage(threadId, OWNER, 'here is a sample', [
      { name: 'rows.csv', bytes: Buffer.from('a,b\n1,2\n') },
    ]);
    await until(() => events.some((e) => e.id.startsWith(m2)), 5000, 'file event');
    expect(events.find((e) => e.id === m1)).toMatchObject({
      kind: 'message',
      text: 'use commas',
      thread: start.thread,
    });
    const file = events.find((e) => e.id.startsWith(m2))!;
    expect(file).toMatchObject({ kind: 'file', name: 'rows.csv', text: 'here is a sample', size: 8 });
    // Announced, not downloaded: the router decides whether to fetch it.
    expect(server.downloads).toEqual([]);
    if (file.kind !== 'file') throw new Error('expected a file event');
    expect(Buffer.from((await file.download!(1024))!).toString()).toBe('a,b\n1,2\n');
    expect(await file.download!(4)).toBeUndefined();
  });

  it('sends text over 2,000 characters as a file and keeps content within the limit', async () => {
    const start = await startSession();
    const text = `${'line of output\n'.repeat(300)}`;
    await adapter.send(start.thread, {
      text,
      files: [{ name: 'script.py', bytes: new TextEncoder().encode('print(1)\n') }],
    });
    const post = await server.waitFor(
      (c) => c.method === 'POST' && c.path === `/channels/${start.thread.threadId}/messages`,
    );
    expect(post.body.content.length).toBeLessThanOrEqual(2000);
    expect(post.files.map((f) => f.name)).toEqual(['message.md', 'script.py']);
    expect(post.files[0]!.bytes.toString()).toBe(text);
    expect(post.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('edits the replaced message and removes finished buttons', async () => {
    const start = await startSession();
    const ref = await adapter.send(start.thread, {
      text: 'Run it?',
      sessionId: 's',
      buttons: [[{ action: 'run', label: 'Run' }]],
    });
    await adapter.send(start.thread, { text: 'Run it? — Run', replaces: ref });
    const edit = await server.waitFor(
      (c) => c.method === 'PATCH' && c.path === `/channels/${ref.channelId}/messages/${ref.messageId}`,
    );
    expect(edit.body).toMatchObject({
      content: 'Run it? — Run',
      components: [],
      allowed_mentions: { parse: [] },
    });
  });

  it('maps 429 to a retryable error with the wait, 5xx to retryable and other 4xx to final', async () => {
    const start = await startSession();
    const path = `/channels/${start.thread.threadId}/messages`;
    const match = (c: { method: string; path: string }) => c.method === 'POST' && c.path === path;
    server.failNext(match, {
      status: 429,
      headers: { 'retry-after': '2' },
      body: { message: 'You are being rate limited.', retry_after: 2, global: false },
    });
    const limited = await adapter.send(start.thread, { text: 'hi' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(AdapterError);
    expect(limited).toMatchObject({ retryable: true });
    expect((limited as AdapterError).retryAfterMs).toBeGreaterThanOrEqual(2000);
    server.failNext(match, { status: 403, body: { message: 'Missing Permissions', code: 50013 } });
    await expect(adapter.send(start.thread, { text: 'hi' })).rejects.toMatchObject({ retryable: false });
    server.failNext(match, { status: 502, body: { message: 'bad gateway' } }, 5);
    await expect(adapter.send(start.thread, { text: 'hi' })).rejects.toMatchObject({ retryable: true });
    expect(server.calls.filter(match).length).toBeGreaterThanOrEqual(3);
  });
});

describe('DiscordAdapter when Discord refuses the thread', () => {
  it('tells the person ephemerally and emits no start event', async () => {
    server.failNext((c) => c.path.endsWith('/threads'), {
      status: 403,
      body: { message: 'Missing Permissions', code: 50013 },
    });
    const { id, token } = server.slashCommand('dedupe', OWNER);
    const note = await server.waitFor(
      (c) => c.method === 'POST' && c.path === `/webhooks/${server.appId}/${token}`,
    );
    expect(note.body).toMatchObject({ flags: 64 });
    expect(note.body.content).toContain('Create Public Threads');
    expect(events.some((e) => e.id === id)).toBe(false);
  });
});
