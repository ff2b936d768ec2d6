import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import { DiscordStandIn, type Json, type RecordedCall } from '../../fakes/discord-server.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { eventually, killHard, type ServeProcess, startServe } from '../../fakes/serve-process.js';

/**
 * `ff2 serve` with Discord (real discord.js against the stand-in, the scripted model, a SQLite
 * file) killed with SIGKILL before a post reached Discord, after Discord created a post but
 * before ff2 heard back, and during the post that uploads the script; restarted at once each
 * time. The thread ends with exactly one copy of every message and attachment.
 */
const OWNER = '1500000000000000001';
let discord: DiscordStandIn | undefined;
let openai: OpenAiServer | undefined;
let dir: string | undefined;
const running: ServeProcess[] = [];

afterEach(async () => {
  for (const p of running) await killHard(p.child);
  running.length = 0;
  await discord?.close();
  await openai?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const isPost = (c: RecordedCall) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path);

it('delivers exactly one copy of every message and attachment across kill -9 at three points of delivery', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-discord-crash-'));
  discord = await DiscordStandIn.start();
  openai = await startSlowReferenceModel(50);
  const env = {
    ...serveChildEnv(dir, openai.url),
    FF2_LOG_LEVEL: 'warn',
    DISCORD_TOKEN: 'bot-token',
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiUrl,
  };
  const db = openStore(join(dir, 'ff2.db'));
  let identified = 0;
  const serve = async () => {
    const p = await startServe(env, /listening \(.*discord/);
    running.push(p);
    await discord!.connected(++identified);
    return p;
  };
  try {
    const first = discord.hangNext(
      (c) => isPost(c) && String(c.body?.content).includes('New ff2 session'),
      'before',
    );
    const one = await serve();
    discord.slashCommand(REFERENCE_GOAL, OWNER);
    const hung = await first;
    expect(hung.body).toMatchObject({ nonce: expect.any(String), enforce_nonce: true });
    await killHard(one.child);

    const outline = discord.hangNext(
      (c) => isPost(c) && JSON.stringify(c.body?.components ?? []).includes('Approve'),
      'after',
    );
    const two = await serve();
    expect(two.stderr()).toContain('took over the serving lease of a dead ff2 process');
    await outline;
    await killHard(two.child);

    const upload = discord.hangNext((c) => isPost(c) && c.files.some((f) => f.name === 'script.py'), 'after');
    const three = await serve();
    const thread = [...discord.threads.keys()][0]!;
    const session = () => db.getSessionByThread(`discord:${discord!.channelId}:${thread}`);
    const approve = await eventually('the outline, once', () => {
      const withButton = discord!
        .messagesIn(thread)
        .filter((m: Json) => JSON.stringify(m.components ?? []).includes('Approve'));
      return withButton.length === 1 && session()?.stage === 'approve_outline' ? withButton[0] : undefined;
    });
    const button = approve.components
      .flatMap((r: Json) => r.components)
      .find((b: Json) => b.label === 'Approve');
    discord.click(button.custom_id, approve, OWNER);
    await upload;
    await killHard(three.child);

    const four = await serve();
    await eventually('the run gate', () => (session()?.stage === 'approve_run' ? true : undefined), 120_000);
    await eventually('an empty outbox', () => (db.pendingOutbox() === 0 ? true : undefined));
    await killHard(four.child);

    const messages = discord.messagesIn(thread);
    const contents = messages.map((m: Json) => String(m.content)).filter((t: string) => !t.startsWith('⏳'));
    expect(new Set(contents).size).toBe(contents.length);
    expect(contents.filter((t: string) => t.includes('New ff2 session'))).toHaveLength(1);
    expect(contents.filter((t: string) => t.startsWith('**Outline**'))).toHaveLength(1);
    expect(contents.filter((t: string) => t.includes('Ready to run'))).toHaveLength(1);
    const files = messages.flatMap((m: Json) => m.attachments ?? []).map((a: Json) => a.filename);
    expect(files).toEqual(['script.py']);
  } finally {
    db.close();
  }
}, 300_000);
