import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunQueue } from '../../../src/runners/queue.js';
import { openPgStore, type PgSessionStore } from '../../../src/store/pg/store.js';
import type { OpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { serveChildEnv, startSlowReferenceModel } from '../../fakes/serve-child.js';
import { eventually, killHard, type ServeProcess, startServe } from '../../fakes/serve-process.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * `ff2 serve --runs=remote` on PostgreSQL with one `ff2 runner`: a Slack session (the scripted
 * model over the OpenAI stand-in) reaches the run gate, the person clicks Run, and the run
 * executes on the runner (its job row names it), not in the worker.
 */
const UID_BASE = 68800;
const CLI = join(import.meta.dirname, '../../../src/cli.ts');
const missing = postgresMissing();
let pg: TestPostgres;
let dir: string;
let slack: SlackServer | undefined;
let openai: OpenAiServer | undefined;
const serves: ServeProcess[] = [];
const children: ChildProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-serve-remote-'));
  if (!missing) pg = startPostgres();
});
afterEach(async () => {
  for (const s of serves.splice(0)) await killHard(s.child);
  for (const c of children.splice(0)) await killHard(c);
  await slack?.close();
  await openai?.close();
});
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Button = { action_id: string; text: { text: string } };

describe.skipIf(missing || process.getuid?.() !== 0)('ff2 serve --runs=remote', () => {
  it('runs a session script on an ff2 runner', { timeout: 240_000 }, async () => {
    const url = pg.createDatabase();
    slack = await startSlackServer();
    openai = await startSlowReferenceModel(10);
    const base = { ...serveChildEnv(join(dir, 'worker'), openai.url), FF2_DATABASE_URL: url };
    const runner = spawn(process.execPath, ['--import', 'tsx', CLI, 'runner', '--slots', '1'], {
      env: {
        ...process.env,
        ...base,
        FF2_DATA_DIR: join(dir, 'runner'),
        FF2_SANDBOX_UID_BASE: String(UID_BASE),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(runner);
    const store: PgSessionStore = openPgStore(url);
    try {
      const queue = new RunQueue(store);
      await eventually('a live runner', () => (queue.runners().length === 1 ? true : undefined));
      const serve = await startServe({
        ...base,
        FF2_RUNS: 'remote',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
      });
      serves.push(serve);
      const events = `http://127.0.0.1:${serve.port}/slack/events`;
      await slack.command(events, { text: REFERENCE_GOAL });
      const thread = await eventually(
        'the session thread',
        () => slack!.messages.find((m) => !m.thread_ts)?.ts,
      );
      const session = () => store.getSessionByThread(`slack:C1:${thread}`);
      const click = async (label: string, stage: string) => {
        const found = await eventually(`the ${label} button`, () => {
          if (session()?.stage !== stage) return undefined;
          for (const m of slack!.thread('C1', thread).reverse()) {
            const button = ((m.blocks ?? []) as { elements?: Button[] }[])
              .flatMap((b) => b.elements ?? [])
              .find((e) => e.text?.text === label);
            if (button) return { m, button };
          }
          return undefined;
        });
        await slack!.action(events, {
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
      await click('Approve', 'approve_outline');
      await click('Run', 'approve_run');
      await eventually(
        'the run result',
        () => (session()?.stage === 'give_feedback' ? true : undefined),
        120_000,
      ).catch((error: Error) => {
        // Say where it stopped: the session's stage and the run job's state.
        throw new Error(
          `${error.message}; stage ${session()?.stage}, job ${JSON.stringify(queue.status(1))}`,
        );
      });
      expect(store.listRuns(session()!.id).map((r) => r.status)).toEqual(['ok']);
      const job = queue.status(1);
      expect(job).toMatchObject({ status: 'done', attempts: 1 });
      expect(job!.runner).toMatch(/^runner@/);
    } finally {
      store.close();
    }
  });
});
