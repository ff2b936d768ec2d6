import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DiscordStandIn } from '../../fakes/discord-server.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';

/** `ff2 serve` (Discord front door) as a child process with FF2_METRICS_PORT: health, metrics, policy line. */
const CLI = join(import.meta.dirname, '../../../src/cli.ts');
let discord: DiscordStandIn | undefined;
let openai: OpenAiServer | undefined;
let dir: string | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await discord?.close();
  await openai?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('serves /healthz and /metrics on FF2_METRICS_PORT and prints the effective policy', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-serve-ops-'));
  discord = await DiscordStandIn.start();
  openai = await startSlowReferenceModel(0);
  const env = {
    ...serveChildEnv(dir, openai.url),
    DISCORD_TOKEN: 'bot-token',
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiUrl,
    FF2_METRICS_PORT: '0',
    FF2_ALLOWED_USERS: 'discord:1500000000000000001',
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ff2 serve did not start: ${stderr}`)), 60_000);
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /\/healthz and \/metrics on :(\d+)/.exec(stderr);
      if (m && stderr.includes('review policy')) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`ff2 serve exited with ${code}: ${stderr}`)));
  });
  expect(stderr).toContain('access users=discord:1500000000000000001 channels=anyone');
  expect(stderr).toMatch(/per user 3 active, 30 a day; budget \$0\.5 \/ 400000 tokens per session/);

  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, database: { ok: true }, lease: { ok: true } });
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toContain('# TYPE ff2_steps_total counter');
  expect(metrics).toContain('ff2_work_limit{resource="model"} 8');
  expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);

  proc.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) =>
    proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', resolve),
  );
  expect(code).toBe(0);
}, 90_000);
