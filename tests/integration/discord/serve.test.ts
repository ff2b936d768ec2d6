import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import { DiscordStandIn, type Json, until } from '../../fakes/discord-server.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';

/**
 * `ff2 serve` as a real child process with both front doors (Slack over HTTP and Discord, so
 * @slack/bolt and discord.js share the process), the OpenAI stand-in serving the scripted model
 * and a SQLite file: SIGTERM while generating, started again on the same database, the session
 * carries on in its Discord thread and the script arrives there as an attachment.
 */
const CLI = join(import.meta.dirname, '../../../src/cli.ts');
const OWNER = '1500000000000000001';
let discord: DiscordStandIn | undefined;
let slack: SlackServer | undefined;
let openai: OpenAiServer | undefined;
let dir: string | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.length = 0;
  await discord?.close();
  await slack?.close();
  await openai?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function serve(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ff2 serve did not start: ${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/listening \(.*discord/.test(stderr)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`ff2 serve exited with ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

it('continues a Discord session in its thread after ff2 serve is stopped mid-generation and restarted', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-discord-serve-'));
  discord = await DiscordStandIn.start();
  slack = await startSlackServer();
  openai = await startSlowReferenceModel();
  const env = {
    ...serveChildEnv(dir, openai.url),
    DISCORD_TOKEN: 'bot-token',
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiUrl,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
  };
  const db = openStore(join(dir, 'ff2.db'));
  try {
    const first = await serve(env);
    await discord.connected(1);
    discord.slashCommand(REFERENCE_GOAL, OWNER);
    await until(() => discord!.threads.size === 1, 20_000, 'the thread');
    const thread = [...discord.threads.keys()][0]!;
    const session = () => db.getSessionByThread(`discord:${discord!.channelId}:${thread}`);
    const approveButton = () =>
      discord!
        .messagesIn(thread)
        .flatMap((m: Json) =>
          (m.components ?? []).flatMap((r: Json) => r.components.map((b: Json) => ({ m, b }))),
        )
        .find(({ b }: Json) => b.label === 'Approve');
    await until(
      () => session()?.stage === 'approve_outline' && approveButton() !== undefined,
      60_000,
      'the outline',
    );
    const { m, b } = approveButton()!;
    discord.click(b.custom_id, m, OWNER);
    await until(() => session()?.stage === 'generate', 30_000, 'generation');

    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);
    const stoppedAt = session()!;
    expect(stoppedAt.status).toBe('working');

    const second = await serve(env);
    await discord.connected(2);
    await until(() => session()?.stage === 'approve_run', 90_000, 'the run gate');
    const upload = await discord.waitFor(
      (c) =>
        c.method === 'POST' &&
        c.path === `/channels/${thread}/messages` &&
        c.files.some((f) => f.name.endsWith('.py')),
      20_000,
    );
    expect(upload.status).toBe(200);
    // Every message of the session went to its thread; nothing failed on the wire.
    const posts = discord.calls.filter(
      (c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path),
    );
    expect(new Set(posts.map((c) => c.path))).toEqual(new Set([`/channels/${thread}/messages`]));
    expect(discord.calls.filter((c) => c.status >= 400)).toEqual([]);

    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  } finally {
    db.close();
  }
}, 180_000);
