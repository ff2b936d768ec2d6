import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import type { SessionRow } from '../../../src/store/types.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';

/**
 * `ff2 serve` as a real child process (Slack over HTTP, the OpenAI stand-in serving the scripted
 * model, a SQLite file): stopped with SIGTERM in the middle of generating, started again on the
 * same database, the session carries on in the same Slack thread.
 */
const CLI = join(import.meta.dirname, '../../../src/cli.ts');
let slack: SlackServer | undefined;
let openai: OpenAiServer | undefined;
let dir: string | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.length = 0;
  await slack?.close();
  await openai?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function serve(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ff2 serve did not start: ${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const port = /slack http :(\d+)/.exec(stderr)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => reject(new Error(`ff2 serve exited with ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('continues a session in the same thread after ff2 serve is stopped mid-generation and started again', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-slack-restart-'));
  slack = await startSlackServer();
  openai = await startSlowReferenceModel();
  const env = {
    ...serveChildEnv(dir, openai.url),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
  };
  const db = openStore(join(dir, 'ff2.db'));
  const sessionIn = (threadTs: string): SessionRow | undefined =>
    db.getSessionByThread(`slack:C1:${threadTs}`);
  try {
    const first = await serve(env);
    const url1 = `http://127.0.0.1:${first.port}/slack/events`;
    expect((await slack.command(url1, { text: REFERENCE_GOAL })).status).toBe(200);
    const root = await slack.waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).includes(' started: '),
    );
    const thread = String((root.reply!.body as { ts: string }).ts);
    await until('the outline', () => (sessionIn(thread)?.stage === 'approve_outline' ? true : undefined));
    const outline = await slack.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.thread_ts === thread &&
        JSON.stringify(c.body.blocks).includes('Approve'),
      60_000,
    );
    const approve = (
      outline.body.blocks as { type: string; elements?: { action_id: string; text: { text: string } }[] }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.text.text === 'Approve')!;
    const outlineTs = String((outline.reply!.body as { ts: string }).ts);
    await slack.action(url1, {
      type: 'block_actions',
      user: { id: 'U1', username: 'ann' },
      channel: { id: 'C1', name: 'general' },
      container: { type: 'message', message_ts: outlineTs, channel_id: 'C1', thread_ts: thread },
      message: { type: 'message', ts: outlineTs, thread_ts: thread, text: 'outline' },
      actions: [{ type: 'button', action_id: approve.action_id, block_id: 'b', action_ts: '1716000000.1' }],
    });
    await until('generation', () => (sessionIn(thread)?.stage === 'generate' ? true : undefined));

    first.child.kill('SIGTERM');
    // serve gives a graceful stop at most STOP_DEADLINE_MS; it ends on its own with 0.
    expect(await exited(first.child)).toBe(0);
    const stoppedAt = sessionIn(thread)!;
    expect(stoppedAt.status).toBe('working');

    const second = await serve(env);
    const done = await until('the run gate', () => {
      const row = sessionIn(thread);
      return row?.stage === 'approve_run' ? row : undefined;
    });
    expect(done.version).toBeGreaterThan(stoppedAt.version);
    await until('the Run button', () =>
      slack!.calls.some(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.body.thread_ts === thread &&
          JSON.stringify(c.body.blocks).includes('"Run"'),
      )
        ? true
        : undefined,
    );
    // Everything after the root went into the same thread; nothing was posted twice.
    const posts = slack.of('chat.postMessage').filter((c) => c.reply?.status === 200);
    expect(posts.filter((c) => c.body.thread_ts === undefined)).toHaveLength(1);
    expect(posts.every((c) => c.body.thread_ts === undefined || c.body.thread_ts === thread)).toBe(true);
    const bodies = posts.map((c) => JSON.stringify(c.body));
    expect(new Set(bodies).size).toBe(bodies.length);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  } finally {
    db.close();
  }
}, 240_000);
