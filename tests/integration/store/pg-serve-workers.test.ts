import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore, type PgSessionStore } from '../../../src/store/pg/store.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { eventually, killHard, type ServeProcess, startServe } from '../../fakes/serve-process.js';
import { clickButton, type FoundButton, findButton } from '../../fakes/slack-buttons.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * Two `ff2 serve` workers on one PostgreSQL database behind the Slack stand-in (HTTP mode, the
 * scripted model): 40 sessions start, half on each worker; once every outline is approved (each
 * on the worker that started it), worker 1 is killed with SIGKILL while most of its sessions are
 * generating their sections; worker 2 resumes them once their leases expire, and every session goes
 * on to its run and result — each message in each thread posted once, each step committed once.
 */
const SESSIONS = 40;
/** Sessions share channels (a channel is one outbox lane across both workers), 5 to a channel. */
const CHANNELS = 8;
/** At the kill, at least this many of worker 1's sessions are mid-generation and held by it. */
const MID_GENERATION_AT_KILL = SESSIONS / 4;
const missing = postgresMissing();
let pg15: TestPostgres;
let dir: string;
let slack: SlackServer | undefined;
let openai: OpenAiServer | undefined;
const serves: ServeProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-pg-serve-'));
  if (!missing) pg15 = startPostgres();
});
afterEach(async () => {
  for (const s of serves.splice(0)) await killHard(s.child);
  await slack?.close();
  await openai?.close();
});
afterAll(() => {
  pg15?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sessions in `generate` with some but not all sections committed, held (unexpired) by `worker`. */
async function midGenerationHeldBy(db: pg.Client, worker: string): Promise<string[]> {
  const r = await db.query(
    `SELECT s.id FROM sessions s JOIN session_leases l ON l.session_id = s.id
     WHERE s.status = 'working' AND s.stage = 'generate' AND l.holder = $1 AND l.expires_at > ff2_now_ms()
       AND EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.id AND e.type = 'section_generated')`,
    [worker],
  );
  return r.rows.map((x) => x.id as string);
}

/** What a session's events say happened, in order: a step committed twice shows up here. */
function eventTrail(store: PgSessionStore, sessionId: string): string[] {
  return store.listEvents(sessionId).map((e) => {
    const data = (e.data ?? {}) as { name?: string; from?: string; to?: string };
    if (e.type === 'section_generated') return `section_generated:${data.name}`;
    if (e.type === 'stage_done') return `stage_done:${data.from}>${data.to}`;
    return e.type;
  });
}

describe.skipIf(missing || process.getuid?.() !== 0)('many ff2 serve workers on PostgreSQL', () => {
  it('finishes every session after one worker is killed mid-generation, posting and committing each once', {
    timeout: 420_000,
  }, async () => {
    const url = pg15.createDatabase();
    slack = await startSlackServer();
    openai = await startSlowReferenceModel(150);
    const env = (name: string, uidBase: number) => ({
      ...serveChildEnv(join(dir, name), openai!.url),
      FF2_LOG_LEVEL: 'warn',
      FF2_DATABASE_URL: url,
      FF2_WORKER_LEASE_S: '3',
      // One person starts every session here; the per-person limits are not what this test is about.
      FF2_MAX_ACTIVE_SESSIONS_PER_USER: '0',
      FF2_MAX_SESSIONS_PER_USER_PER_DAY: '0',
      // Nor is Slack's pacing: a short interval keeps 5 threads to a channel moving.
      FF2_SLACK_CHANNEL_INTERVAL_MS: '50',
      FF2_SANDBOX_UID_BASE: String(uidBase),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack!.apiUrl,
    });
    const [w1, w2] = await Promise.all([startServe(env('w1', 70000)), startServe(env('w2', 70100))]);
    serves.push(w1!, w2!);
    const at = (w: ServeProcess) => `http://127.0.0.1:${w.port}/slack/events`;
    const starter = (i: number) => (i % 2 ? w2! : w1!);
    const channelOf = (i: number) => `C${(i % CHANNELS) + 1}`;
    for (let i = 0; i < SESSIONS; i++)
      await slack.command(at(starter(i)), { channel_id: channelOf(i), text: `${REFERENCE_GOAL} (#${i})` });
    // Session i's thread: the root its command posted (the goal carries "(#i)").
    const threads = await eventually('every session thread', () => {
      const roots = slack!.messages.filter((m) => !m.thread_ts && m.text?.includes('started:'));
      if (roots.length < SESSIONS) return undefined;
      return Array.from({ length: SESSIONS }, (_, i) => {
        const root = roots.find((m) => m.text?.includes(`(#${i})`));
        if (!root) throw new Error(`no thread root for session #${i}`);
        return { i, channel: root.channel, ts: root.ts };
      });
    });
    const store: PgSessionStore = openPgStore(url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const session = (t: { channel: string; ts: string }) =>
        store.getSessionByThread(`slack:${t.channel}:${t.ts}`);
      /** Every thread's `label` button once its session waits at `stage`. */
      const buttons = (label: string, stage: string) =>
        eventually(
          `${label} in every thread`,
          () => {
            const found: FoundButton[] = [];
            for (const t of threads) {
              if (session(t)?.stage !== stage) return undefined;
              const button = findButton(slack!, t.channel, t.ts, label);
              if (!button) return undefined;
              found.push(button);
            }
            return found;
          },
          180_000,
        ).catch((error: Error) => {
          // Say which sessions are elsewhere, and where.
          const elsewhere = threads.flatMap((t) => {
            const s = session(t);
            return s?.stage === stage ? [] : [`#${t.i} ${s?.stage}/${s?.status}`];
          });
          throw new Error(`${error.message}; not at ${stage}: ${elsewhere.join(', ')}`);
        });

      // Approve every outline at once, each on the worker that started the session: worker 1 then
      // holds its 20 sessions while they generate (the model answers each call slowly).
      const approvals = await buttons('Approve', 'approve_outline');
      const clicks = await Promise.all(approvals.map((b, i) => clickButton(slack!, at(starter(i)), b)));
      expect(clicks.map((c) => c.status)).toEqual(approvals.map(() => 200));
      const w1Id = (
        await db.query(`SELECT id FROM workers WHERE info::json->>'pid' = $1`, [String(w1!.child.pid)])
      ).rows[0]?.id as string | undefined;
      expect(w1Id).toBeDefined();
      // The kill waits until every click is committed (a click acked but not yet committed dies with
      // its worker, as Slack does not send it again: a window of the front door, not of the workers)
      // and until more than MID_GENERATION_AT_KILL of worker 1's sessions are mid-generation.
      const deadline = Date.now() + 180_000;
      for (;;) {
        const approved = threads.every((t) => session(t)?.stage !== 'approve_outline');
        if (approved && (await midGenerationHeldBy(db, w1Id!)).length > MID_GENERATION_AT_KILL) break;
        if (Date.now() > deadline)
          throw new Error(
            `never every outline approved with ${MID_GENERATION_AT_KILL} sessions mid-generation`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
      await killHard(w1!.child);
      // A killed worker commits nothing more: what its leases hold now is what the kill cut off.
      expect(
        (await midGenerationHeldBy(db, w1Id!)).length,
        'held mid-generation at the kill',
      ).toBeGreaterThanOrEqual(MID_GENERATION_AT_KILL);

      const runButtons = await buttons('Run', 'approve_run');
      const runClicks = await Promise.all(runButtons.map((b) => clickButton(slack!, at(w2!), b)));
      expect(runClicks.map((c) => c.status)).toEqual(runButtons.map(() => 200));
      await eventually(
        'every result',
        () => (threads.every((t) => session(t)?.stage === 'give_feedback') ? true : undefined),
        180_000,
      );
      await eventually('an empty outbox', () => (store.pendingOutbox() === 0 ? true : undefined));

      const trails = new Set<string>();
      for (const t of threads) {
        const id = session(t)!.id;
        const replies = slack.thread(t.channel, t.ts);
        const ids = replies.flatMap((m) => (m.metadata ? [String(m.metadata.event_payload.id)] : []));
        expect(new Set(ids).size, `message ids in thread #${t.i}`).toBe(ids.length);
        const texts = replies.filter((m) => m.text && !m.text.startsWith('⏳')).map((m) => m.text);
        expect(texts.filter((x) => x.startsWith('Outline: '))).toHaveLength(1);
        expect(texts.filter((x) => x.includes('Ready to run'))).toHaveLength(1);
        // No step committed twice. Up to the Run click every session takes the same steps: one goal,
        // each section once, one review, each click once — the same trail, killed or not.
        const trail = eventTrail(store, id);
        const clickedRun = trail.indexOf('stage_done:approve_run>run');
        expect(clickedRun, `the Run click of #${t.i}`).toBeGreaterThan(0);
        const upToRun = trail.slice(0, clickedRun + 1);
        const count = (x: string) => upToRun.filter((y) => y === x).length;
        expect(count('goal'), `goal events of #${t.i}`).toBe(1);
        expect(count('review'), `review events of #${t.i}`).toBe(1);
        expect(count('input_action'), `click events of #${t.i}`).toBe(2);
        const sections = upToRun.filter((x) => x.startsWith('section_generated:'));
        expect(new Set(sections).size, `sections of #${t.i}: ${sections.join(' ')}`).toBe(sections.length);
        trails.add(upToRun.join(' '));
        // From there (worker 2 alone) a run that failed may be repaired and run again: one run row
        // per committed run step, and the last one passed.
        const runs = store.listRuns(id);
        const runSteps = trail.filter((x) => x.startsWith('stage_done:run>')).length;
        expect(runs, `runs of #${t.i}: ${JSON.stringify(runs).slice(0, 3000)}`).toHaveLength(runSteps);
        expect(runs.at(-1)?.status, `the last run of #${t.i}`).toBe('ok');
      }
      expect([...trails], 'event trails').toHaveLength(1);
      expect(slack.messages.filter((m) => !m.thread_ts)).toHaveLength(SESSIONS);
      expect(w2!.stderr()).toContain('resuming sessions no worker holds');
    } finally {
      await db.end();
      store.close();
    }
  });
});
