import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { discordCheck } from '../../../src/doctor/discord.js';
import { DiscordStandIn } from '../../fakes/discord-server.js';

let server: DiscordStandIn;
let dir: string;
beforeEach(async () => {
  server = await DiscordStandIn.start();
  dir = mkdtempSync(join(tmpdir(), 'ff2-discord-doctor-'));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (env: Record<string, string> = {}) =>
  loadConfig(
    {
      FF2_DATA_DIR: dir,
      DISCORD_TOKEN: 't',
      DISCORD_APP_ID: server.appId,
      DISCORD_API_URL: server.apiUrl,
      ...env,
    },
    dir,
  );

describe('ff2 doctor: discord', () => {
  it('passes when the token works and the MessageContent intent is on', async () => {
    expect(await discordCheck.run(config())).toMatchObject({
      ok: true,
      detail: expect.stringContaining('MessageContent intent on'),
    });
  });

  it('says how to turn on the MessageContent intent when it is off', async () => {
    server.appFlags = 0;
    const result = await discordCheck.run(config());
    expect(result.ok).toBe(false);
    expect(result.fix).toContain('Message Content Intent');
  });

  it('flags a token of another application', async () => {
    const result = await discordCheck.run(config({ DISCORD_APP_ID: '42' }));
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('not DISCORD_APP_ID 42') });
  });

  it('reports a rejected token with a fix', async () => {
    server.failNext((c) => c.path === '/applications/@me', {
      status: 401,
      body: { message: '401: Unauthorized', code: 0 },
    });
    const result = await discordCheck.run(config());
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('HTTP 401') });
    expect(result.fix).toContain('DISCORD_TOKEN');
  });

  it('passes without a Discord configuration', async () => {
    const result = await discordCheck.run(loadConfig({ FF2_DATA_DIR: dir }, dir));
    expect(result).toMatchObject({ ok: true, detail: expect.stringContaining('not configured') });
  });
});
