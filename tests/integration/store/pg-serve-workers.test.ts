import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore, type PgSessionStore } from '../../../src/store/pg/store.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { eventually, killHard, type ServeProcess, startServe } from '../../fakes/serve-process.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * Two `ff2 serve` workers on one PostgreSQL database behind the Slack stand-in (HTTP mode, the
 * scripted model): sessions start on both; one worker is killed with SIGKILL while its sessions
 * are being worked on; the other resumes them once their leases expire, and every session goes on
 * to its run and result — each message in each thread posted once.
 */
const SESSIONS = 4;
const missing = postgresMissing();
let pg: TestPostgres;
let dir: string;
let slack: SlackServer | undefined;
let openai: OpenAiServer | undefined;
const serves: ServeProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-pg-serve-'));
  if (!missing) pg = startPostgres();
});
afterEach(async () => {
  for (const s of serves.splice(0)) await killHard(s.child);
  await slack?.close();
  await openai?.close();
});
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Button = { action_id: string; text: { text: string } };

describe.skipIf(missing || process.getuid?.() !== 0)('many ff2 serve workers on PostgreSQL', () => {
  it('finishes every session after one worker is killed mid-way, posting each message once', {
    timeout: 280_000,
  }, async () => {
    const url = pg.createDatabase();
    slack = await startSlackServer();
    openai = await startSlowReferenceModel(150);
    const env = (name: string, uidBase: number) => ({
      ...serveChildEnv(join(dir, name), openai!.url),
      FF2_LOG_LEVEL: 'warn',
      FF2_DATABASE_URL: url,
      FF2_WORKER_LEASE_S: '3',
      // One person starts every session here; the per-person limit is not what this test is about.
      FF2_MAX_ACTIVE_SESSIONS_PER_USER: '0',
      FF2_SANDBOX_UID_BASE: String(uidBase),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack!.apiUrl,
    });
    const w1 = await startServe(env('w1', 68300));
    serves.push(w1);
    const w2 = await startServe(env('w2', 68400));
    serves.push(w2);
    const at = (w: ServeProcess) => `http://127.0.0.1:${w.port}/slack/events`;
    for (let i = 0; i < SESSIONS; i++)
      await slack.command(at(i % 2 ? w2 : w1), { text: `${REFERENCE_GOAL} (#${i})` });
    const roots = await eventually('every session thread', () => {
      const r = slack!.messages.filter((m) => !m.thread_ts && m.text?.includes('started:'));
      return r.length === SESSIONS ? r.map((m) => m.ts) : undefined;
    });
    const store: PgSessionStore = openPgStore(url);
    try {
      // Kill worker 1 once every session is stored, while its sessions are still being worked on
      // (the model answers slowly). (A kill between a thread's first post and its session's commit
      // loses that start: a crash window of the front door, not of the workers.)
      await eventually('every session stored', () =>
        store.listSessions().length === SESSIONS ? true : undefined,
      );
      await killHard(w1.child);
      const session = (thread: string) => store.getSessionByThread(`slack:C1:${thread}`);
      const click = async (thread: string, label: string, stage: string) => {
        const found = await eventually(
          `${label} in ${thread}`,
          () => {
            if (session(thread)?.stage !== stage) return undefined;
            for (const m of slack!.thread('C1', thread).reverse()) {
              const button = ((m.blocks ?? []) as { elements?: Button[] }[])
                .flatMap((b) => b.elements ?? [])
                .find((e) => e.text?.text === label);
              if (button) return { m, button };
            }
            return undefined;
          },
          120_000,
        );
        await slack!.action(at(w2), {
          type: 'block_actions',
          user: { id: 'U1', username: 'ann' },
          channel: { id: 'C1', name: 'general' },
          container: { type: 'message', message_ts: found.m.ts, channel_id: 'C1', thread_ts: thread },
          message: { type: 'message', ts: found.m.ts, thread_ts: thread, text: 'x' },
          actions: [
            { type: 'button', action_id: found.button.action_id, block_id: 'b', action_ts: `${Date.now()}` },
          ],
        });
      };
      for (const thread of roots) await click(thread, 'Approve', 'approve_outline');
      for (const thread of roots) await click(thread, 'Run', 'approve_run');
      for (const thread of roots) {
        await eventually(
          `the result in ${thread}`,
          () => (session(thread)?.stage === 'give_feedback' ? true : undefined),
          120_000,
        );
      }
      await eventually('an empty outbox', () => (store.pendingOutbox() === 0 ? true : undefined));
      const sections = new Set<number>();
      for (const thread of roots) {
        const replies = slack.thread('C1', thread);
        const ids = replies.flatMap((m) => (m.metadata ? [String(m.metadata.event_payload.id)] : []));
        expect(new Set(ids).size).toBe(ids.length);
        const texts = replies.filter((m) => m.text && !m.text.startsWith('⏳')).map((m) => m.text);
        expect(texts.filter((t) => t.startsWith('Outline: '))).toHaveLength(1);
        expect(texts.filter((t) => t.includes('Ready to run'))).toHaveLength(1);
        expect(store.listRuns(session(thread)!.id).map((r) => r.status)).toEqual(['ok']);
        // No step committed twice: one goal, one review, and the same sections as every other session.
        const types = store.listEvents(session(thread)!.id).map((e) => e.type);
        expect(types.filter((t) => t === 'goal')).toHaveLength(1);
        expect(types.filter((t) => t === 'review')).toHaveLength(1);
        sections.add(types.filter((t) => t === 'section_generated').length);
      }
      expect(sections.size).toBe(1);
      expect(slack.messages.filter((m) => !m.thread_ts)).toHaveLength(SESSIONS);
      expect(w2.stderr()).toContain('resuming sessions no worker holds');
    } finally {
      store.close();
    }
  });
});
