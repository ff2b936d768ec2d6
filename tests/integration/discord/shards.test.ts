import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscordAdapter } from '../../../src/bots/discord/adapter.js';
import { createDiscordFrontDoor } from '../../../src/bots/discord/create.js';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { DiscordStandIn, until } from '../../fakes/discord-server.js';

/** Many workers: each connects its own Discord gateway shard (FF2_DISCORD_SHARDS=ids/count). */
let server: DiscordStandIn | undefined;
let adapter: DiscordAdapter | undefined;
const dir = mkdtempSync(join(tmpdir(), 'ff2-shards-'));
afterEach(async () => {
  await adapter?.stop();
  await server?.close();
  adapter = undefined;
  server = undefined;
});
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string>, appId = '1') => ({
  DISCORD_TOKEN: 'bot-token',
  DISCORD_APP_ID: appId,
  FF2_DATA_DIR: dir,
  ...extra,
});

describe('Discord gateway shards', () => {
  it('identifies as the configured shard of the configured count', async () => {
    server = await DiscordStandIn.start();
    const config = loadConfig(
      env({ DISCORD_API_URL: server.apiUrl, FF2_DISCORD_SHARDS: '1/2' }, server.appId),
      dir,
    );
    adapter = (await createDiscordFrontDoor(config, silentLogger))!;
    await adapter.start(async () => {});
    await until(() => server!.identifyShards.length > 0, 10_000, 'a gateway IDENTIFY');
    expect(server.identifyShards).toEqual([[1, 2]]);
  });

  it('parses ids/count and refuses an id outside the count', () => {
    expect(loadConfig(env({ FF2_DISCORD_SHARDS: '0,2/4' }), dir).discord?.shards).toEqual({
      ids: [0, 2],
      count: 4,
    });
    expect(loadConfig(env({}), dir).discord?.shards).toBeUndefined();
    expect(() => loadConfig(env({ FF2_DISCORD_SHARDS: '2/2' }), dir)).toThrow(ConfigError);
    expect(() => loadConfig(env({ FF2_DISCORD_SHARDS: 'two' }), dir)).toThrow(/FF2_DISCORD_SHARDS/);
  });
});
