import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import type { CliIo } from '../../../src/commands/types.js';
import { DiscordStandIn } from '../../fakes/discord-server.js';

let server: DiscordStandIn;
let dir: string;

beforeEach(async () => {
  server = await DiscordStandIn.start();
  dir = mkdtempSync(join(tmpdir(), 'ff2-discord-register-'));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: {
      FF2_DATA_DIR: dir,
      DISCORD_TOKEN: 'secret',
      DISCORD_APP_ID: server.appId,
      DISCORD_API_URL: server.apiUrl,
      ...env,
    },
    cwd: dir,
    stdin: new PassThrough(),
    stdoutIsTTY: false,
  };
  return { cli, out, err };
}

describe('ff2 discord register', () => {
  it('registers /ff2 globally with the bot token and prints the invite URL', async () => {
    const { cli, out } = io({});
    expect(await runCli(['discord', 'register'], cli)).toBe(0);
    const put = server.calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe(`/applications/${server.appId}/commands`);
    expect(put.auth).toBe('Bot secret');
    expect(put.body).toEqual([
      expect.objectContaining({
        name: 'ff2',
        options: [
          expect.objectContaining({ name: 'goal', type: 3, required: true }),
          expect.objectContaining({ name: 'template', type: 3, required: false }),
          expect.objectContaining({ name: 'script', type: 11, required: false }),
        ],
      }),
    ]);
    expect(out.join('')).toContain(`https://discord.com/oauth2/authorize?client_id=${server.appId}`);
  });

  it('registers in DISCORD_GUILD_ID, and --guild overrides it', async () => {
    expect(await runCli(['discord', 'register'], io({ DISCORD_GUILD_ID: '77' }).cli)).toBe(0);
    expect(await runCli(['discord', 'register', '--guild', '88'], io({ DISCORD_GUILD_ID: '77' }).cli)).toBe(
      0,
    );
    expect(server.calls.filter((c) => c.method === 'PUT').map((c) => c.path)).toEqual([
      `/applications/${server.appId}/guilds/77/commands`,
      `/applications/${server.appId}/guilds/88/commands`,
    ]);
  });

  it('reports a rejected token once, without retrying, and exits 1', async () => {
    server.failNext((c) => c.method === 'PUT', {
      status: 401,
      body: { message: '401: Unauthorized', code: 0 },
    });
    const { cli, err } = io({});
    expect(await runCli(['discord', 'register'], cli)).toBe(1);
    expect(err.join('')).toContain('HTTP 401');
    expect(server.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
  });

  it('names the missing variables when Discord is not configured', async () => {
    const { cli, err } = io({ DISCORD_TOKEN: '', DISCORD_APP_ID: '' });
    expect(await runCli(['discord', 'register'], cli)).toBe(2);
    expect(err.join('')).toContain('DISCORD_TOKEN');
  });

  it('rejects an unknown subcommand with usage', async () => {
    const { cli, err } = io({});
    expect(await runCli(['discord', 'deploy'], cli)).toBe(2);
    expect(err.join('')).toContain('Usage: ff2 discord register');
  });
});
