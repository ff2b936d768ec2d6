// @slack/bolt must be loaded before discord.js: that order is what breaks discord.js uploads
// (an undici clash) unless the client has its own undici Agent, as createDiscordFrontDoor gives it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordAdapter } from '../../../src/bots/discord/adapter.js';
import { createDiscordFrontDoor } from '../../../src/bots/discord/create.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { DiscordStandIn } from '../../fakes/discord-server.js';

let server: DiscordStandIn;
let adapter: DiscordAdapter;
let dir: string;

beforeAll(async () => {
  expect(typeof App).toBe('function');
  expect(LogLevel.ERROR).toBe('error');
  server = await DiscordStandIn.start();
  dir = mkdtempSync(join(tmpdir(), 'ff2-discord-bolt-'));
  const config = loadConfig(
    { DISCORD_TOKEN: 't', DISCORD_APP_ID: server.appId, DISCORD_API_URL: server.apiUrl, FF2_DATA_DIR: dir },
    dir,
  );
  adapter = (await createDiscordFrontDoor(config, silentLogger))!;
  await adapter.start(async () => {});
});
afterAll(async () => {
  await adapter.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Discord uploads with @slack/bolt in the same process', () => {
  it('posts a file attachment as multipart', async () => {
    const channel = { platform: 'discord' as const, channelId: server.channelId, threadId: '' };
    await adapter.send(channel, {
      text: 'the script',
      files: [{ name: 'dedupe.py', bytes: new TextEncoder().encode('print("hi")\n') }],
    });
    const post = await server.waitFor(
      (c) => c.method === 'POST' && c.path === `/channels/${server.channelId}/messages`,
    );
    expect(post.files.map((f) => [f.name, f.bytes.toString()])).toEqual([['dedupe.py', 'print("hi")\n']]);
    expect(post.body.content).toBe('the script');
  });
});
