import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { eventually, killHard, type ServeProcess, startServe } from '../../fakes/serve-process.js';
import {
  BOT_TOKEN,
  SIGNING_SECRET,
  type SlackCall,
  type SlackServer,
  startSlackServer,
} from '../../fakes/slack-server.js';

/**
 * `ff2 serve` (Slack over HTTP, the scripted model over the OpenAI stand-in, a SQLite file)
 * killed with SIGKILL at three points of delivery — before a post reached Slack, after Slack
 * accepted a post but before ff2 heard back (so the row is still `sending`), and while a file was
 * being shared — and started again at once each time: every restart takes over the dead
 * process's lease and listens, and in the end the thread holds exactly one copy of every message
 * and every file.
 */
let slack: SlackServer | undefined;
let openai: OpenAiServer | undefined;
let dir: string | undefined;
const running: ServeProcess[] = [];

afterEach(async () => {
  for (const p of running) await killHard(p.child);
  running.length = 0;
  await slack?.close();
  await openai?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const isPost = (c: SlackCall, text: string) =>
  c.method === 'chat.postMessage' && JSON.stringify(c.body).includes(text);

it('delivers exactly one copy of every message and file in the thread across kill -9 at three points of delivery', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-slack-crash-'));
  slack = await startSlackServer();
  openai = await startSlowReferenceModel(50);
  const env = {
    ...serveChildEnv(dir, openai.url),
    FF2_LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
  };
  const db = openStore(join(dir, 'ff2.db'));
  const serve = async () => {
    const p = await startServe(env);
    running.push(p);
    return p;
  };
  try {
    // 1. Killed before the session's first message reached Slack.
    const first = slack.hangNext((c) => isPost(c, 'New ff2 session'), 'before');
    const one = await serve();
    await slack.command(`http://127.0.0.1:${one.port}/slack/events`, { text: REFERENCE_GOAL });
    await first;
    await killHard(one.child);

    // 2. Killed after Slack accepted the outline but before ff2 got the answer.
    const outline = slack.hangNext((c) => isPost(c, 'Approve'), 'after');
    const two = await serve();
    expect(two.stderr()).toContain('took over the serving lease of a dead ff2 process');
    await outline;
    await killHard(two.child);

    // 3. Killed while the script was being shared into the thread (Slack shared it; no answer).
    const share = slack.hangNext((c) => c.method === 'files.completeUploadExternal', 'after');
    const three = await serve();
    expect(three.stderr()).toContain('took over the serving lease');
    const root = slack.messages.find((m) => !m.thread_ts)!;
    const thread = root.ts;
    const session = () => db.getSessionByThread(`slack:C1:${thread}`);
    const approve = await eventually('the outline, once', () => {
      const posts = slack!
        .thread('C1', thread)
        .filter((m) => JSON.stringify(m.blocks ?? '').includes('Approve'));
      return posts.length === 1 && session()?.stage === 'approve_outline' ? posts[0] : undefined;
    });
    const button = (approve.blocks as { elements?: { action_id: string; text: { text: string } }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.text.text === 'Approve')!;
    await slack.action(`http://127.0.0.1:${three.port}/slack/events`, {
      type: 'block_actions',
      user: { id: 'U1', username: 'ann' },
      channel: { id: 'C1', name: 'general' },
      container: { type: 'message', message_ts: approve.ts, channel_id: 'C1', thread_ts: thread },
      message: { type: 'message', ts: approve.ts, thread_ts: thread, text: 'outline' },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', action_ts: '1716000000.1' }],
    });
    await share;
    await killHard(three.child);

    const four = await serve();
    await eventually('the run gate', () => (session()?.stage === 'approve_run' ? true : undefined), 120_000);
    await eventually('an empty outbox', () => (db.pendingOutbox() === 0 ? true : undefined));
    await killHard(four.child);

    // Exactly one copy of every message: each outbox row id once, no repeated text.
    const replies = slack.thread('C1', thread);
    const ids = replies.flatMap((m) => (m.metadata ? [String(m.metadata.event_payload.id)] : []));
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ids).size).toBe(ids.length);
    const texts = replies.filter((m) => m.text && !m.text.startsWith('⏳')).map((m) => m.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.filter((t) => t.includes('New ff2 session'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('Outline: '))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('Ready to run'))).toHaveLength(1);
    // Exactly one copy of every file.
    const files = replies.flatMap((m) => m.files ?? []).map((f) => f.name);
    expect(files).toEqual(['script.py']);
    // And one root message: the restarts did not start anything again.
    expect(slack.messages.filter((m) => !m.thread_ts)).toHaveLength(1);
  } finally {
    db.close();
  }
}, 300_000);

it('refuses to start while the lease holder on this host is alive, and starts at once after it was killed', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-slack-lease-'));
  slack = await startSlackServer();
  openai = await startSlowReferenceModel(50);
  const env = {
    ...serveChildEnv(dir, openai.url),
    FF2_LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
  };
  const holder = await startServe(env);
  running.push(holder);
  const refused = await startServe(env).then(
    () => 'started',
    (error: Error) => error.message,
  );
  expect(refused).toMatch(/exited with 3: .*another ff2 process \(ff2@.*\) is serving this database/s);
  expect(holder.child.exitCode).toBeNull();

  await killHard(holder.child);
  const next = await startServe(env);
  running.push(next);
  expect(next.stderr()).toContain('took over the serving lease of a dead ff2 process');
  const healthz = await fetch(`http://127.0.0.1:${next.port}/healthz`);
  expect(healthz.status).toBe(200);
}, 120_000);
