import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore, type PgSessionStore } from '../../../src/store/pg/store.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { eventually, killHard, type ServeProcess, startServe } from '../../fakes/serve-process.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * A real `ff2 serve` worker paused with SIGSTOP in the middle of writing sessions, past its lease:
 * the other worker takes the sessions over and finishes them; when the paused worker continues
 * (SIGCONT) with its steps still in flight, every one of its commits is fenced off — nothing it
 * worked on while it had lost its leases is stored or posted twice.
 */
const SESSIONS = 3;
const LEASE_S = 3;
const missing = postgresMissing();
let pg: TestPostgres;
let dir: string;
let slack: SlackServer | undefined;
let openai: OpenAiServer | undefined;
const serves: ServeProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-pg-pause-'));
  if (!missing) pg = startPostgres();
});
afterEach(async () => {
  for (const s of serves.splice(0)) {
    s.child.kill('SIGCONT');
    await killHard(s.child);
  }
  await slack?.close();
  await openai?.close();
});
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Button = { action_id: string; text: { text: string } };

describe.skipIf(missing || process.getuid?.() !== 0)('a paused ff2 serve worker (PostgreSQL)', () => {
  it('commits nothing after its lease expired, and the sessions finish on the other worker', {
    timeout: 240_000,
  }, async () => {
    const url = pg.createDatabase();
    slack = await startSlackServer();
    openai = await startSlowReferenceModel(300);
    const env = (name: string, uidBase: number) => ({
      ...serveChildEnv(join(dir, name), openai!.url),
      FF2_LOG_LEVEL: 'warn',
      FF2_DATABASE_URL: url,
      FF2_WORKER_LEASE_S: String(LEASE_S),
      FF2_MAX_ACTIVE_SESSIONS_PER_USER: '0',
      FF2_SANDBOX_UID_BASE: String(uidBase),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack!.apiUrl,
    });
    const w1 = await startServe(env('w1', 71000));
    serves.push(w1);
    const w2 = await startServe(env('w2', 71100));
    serves.push(w2);
    const at = (w: ServeProcess) => `http://127.0.0.1:${w.port}/slack/events`;
    for (let i = 0; i < SESSIONS; i++) await slack.command(at(w1), { text: `${REFERENCE_GOAL} (#${i})` });
    const roots = await eventually('every session thread', () => {
      const r = slack!.messages.filter((m) => !m.thread_ts && m.text?.includes('started:'));
      return r.length === SESSIONS ? r.map((m) => m.ts) : undefined;
    });
    const store: PgSessionStore = openPgStore(url);
    try {
      const session = (thread: string) => store.getSessionByThread(`slack:C1:${thread}`)!;
      const click = async (w: ServeProcess, thread: string, label: string, stage: string) => {
        const found = await eventually(
          `${label} in ${thread}`,
          () => {
            if (store.getSessionByThread(`slack:C1:${thread}`)?.stage !== stage) return undefined;
            for (const m of slack!.thread('C1', thread).reverse()) {
              const button = ((m.blocks ?? []) as { elements?: Button[] }[])
                .flatMap((b) => b.elements ?? [])
                .find((e) => e.text?.text === label);
              if (button) return { m, button };
            }
            return undefined;
          },
          120_000,
        ).catch((error: Error) => {
          const row = store.getSessionByThread(`slack:C1:${thread}`);
          const tail = (p: ServeProcess) => p.stderr().split('\n').slice(-15).join('\n');
          throw new Error(
            `${error.message} (session ${row?.stage}/${row?.status})\nworker 1:\n${tail(w1)}\nworker 2:\n${tail(w2)}`,
          );
        });
        await slack!.action(at(w), {
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
      // Approve on worker 1: it writes every session's sections, one slow model call at a time.
      await Promise.all(roots.map((thread) => click(w1, thread, 'Approve', 'approve_outline')));
      const sections = (thread: string) =>
        store.listEvents(session(thread).id).filter((e) => e.type === 'section_generated').length;
      const midway = () => roots.filter((t) => session(t).status === 'working' && sections(t) >= 1);
      // Every Approve committed (a click worker 1 took but had not applied would wait for SIGCONT),
      // and worker 1 in the middle of writing sessions.
      await eventually('worker 1 writing sessions', () =>
        roots.every((t) => session(t).stage !== 'approve_outline') && midway().length >= 1 ? true : undefined,
      );
      w1.child.kill('SIGSTOP');
      const pausedAt = new Map(roots.map((t) => [t, sections(t)]));
      // Worker 2 resumes them once worker 1's leases expire, and carries them to "Run it?".
      for (const thread of roots) await click(w2, thread, 'Run', 'approve_run');
      expect(w2.stderr()).toContain('resuming sessions no worker holds');
      expect(roots.some((t) => sections(t) > pausedAt.get(t)!)).toBe(true);

      w1.child.kill('SIGCONT');
      // Its steps in flight at the pause now finish and try to commit: each is fenced off.
      await eventually('worker 1 fenced off', () =>
        /session moved on elsewhere; step not committed/.test(w1.stderr()) ? true : undefined,
      );
      for (const thread of roots) {
        await eventually(
          `the result in ${thread}`,
          () => (session(thread).stage === 'give_feedback' ? true : undefined),
          120_000,
        );
      }
      await sleep(LEASE_S * 1000);
      await eventually('an empty outbox', () => (store.pendingOutbox() === 0 ? true : undefined));
      const counts = new Set<number>();
      for (const thread of roots) {
        const replies = slack.thread('C1', thread);
        const ids = replies.flatMap((m) => (m.metadata ? [String(m.metadata.event_payload.id)] : []));
        expect(new Set(ids).size).toBe(ids.length);
        const texts = replies.filter((m) => m.text && !m.text.startsWith('⏳')).map((m) => m.text);
        expect(texts.filter((t) => t.startsWith('Outline: '))).toHaveLength(1);
        expect(texts.filter((t) => t.includes('Ready to run'))).toHaveLength(1);
        expect(store.listRuns(session(thread).id).map((r) => r.status)).toEqual(['ok']);
        const types = store.listEvents(session(thread).id).map((e) => e.type);
        expect(types.filter((t) => t === 'goal')).toHaveLength(1);
        expect(types.filter((t) => t === 'review')).toHaveLength(1);
        counts.add(types.filter((t) => t === 'section_generated').length);
      }
      // Every session has the reference goal's sections once each: none written twice.
      expect(counts.size).toBe(1);
      expect(w1.stderr()).not.toContain('session step failed');
    } finally {
      store.close();
    }
  });
});
