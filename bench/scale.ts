import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { napGoalScript } from '../tests/fakes/nap-goal.js';
import { type OpenAiServer, startOpenAiServer } from '../tests/fakes/openai-server.js';
import { respondFromScript } from '../tests/fakes/scripted-llm.js';
import { type SlackServer, startSlackServer } from '../tests/fakes/slack-server.js';
import { startPostgres } from '../tests/helpers/postgres.js';
import { driveSessions, p99, verifiedRuns } from './scale-drive.js';
import { type ScaleSetupOptions, startScaleSetup } from './scale-setup.js';

/**
 * Sandbox-run throughput as workers and runners are added, through the whole product: real
 * `ff2 serve` processes in Slack HTTP mode behind the Slack stand-in, the scripted model behind
 * the OpenAI stand-in (tests/fakes/nap-goal.ts: one smoke check, a script that sleeps 1 s, so
 * runner slots and not this machine's cores are the bottleneck). Three setups, SESSIONS sessions
 * each, every session in its own channel with its own person, and FF2_SLACK_CHANNEL_INTERVAL_MS
 * lowered to 100 (Slack's per-channel pacing and the per-person limits are not what is measured):
 *   local_*  SQLite: one `ff2 serve` running its own sandbox with one slot (FF2_SANDBOX_SLOTS=1);
 *   pg1_*    PostgreSQL: one `ff2 serve --runs=remote` worker + one `ff2 runner --slots 1`;
 *   pg3_*    PostgreSQL: three workers + three one-slot runners; every slash command and click goes
 *            to the next worker's HTTP port in turn (a round-robin load balancer).
 * Remote workers keep their default FF2_SANDBOX_SLOTS (CPU count): the runs each has in flight.
 * Each session: `/ff2 <goal>` → Approve (the outline) → Run; every session is driven at once, but
 * all reach the Run button before any is clicked, then all are clicked Run together.
 *   *_runs_per_s   sandbox runs completed (counted in the store) ÷ the run phase: from the first
 *                  Run click to the last result posted in Slack;
 *   *_p99_step_ms  p99 over every driven step of every session, each from its request sent to the
 *                  bot's answer in the thread: /ff2 → the outline's Approve button, Approve → the
 *                  Run button, Run → the "Run 1: passed" result (queueing for a slot included);
 *   sessions, runs (per setup); scale_ratio = pg3 ÷ pg1 runs/s (≥ 2.5 expected).
 * Throws when a session does not reach its result or a run is not `ok`; never fails on time.
 * Needs root, bubblewrap and PostgreSQL 15's binaries.
 */
const SESSIONS = 18;
const UID_BASE = 69000;

export async function benchScale(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-scale-'));
  const pg = startPostgres();
  let slack: SlackServer | undefined;
  let openai: OpenAiServer | undefined;
  try {
    slack = await startSlackServer();
    openai = await startOpenAiServer({ respond: respondFromScript(napGoalScript()) });
    const base = { modelUrl: openai.url, slackApiUrl: slack.apiUrl, uidBase: UID_BASE };
    const measure = async (tag: string, setup: Omit<ScaleSetupOptions, 'dir' | keyof typeof base>) => {
      const setupDir = join(dir, tag);
      mkdirSync(setupDir);
      const running = await startScaleSetup({ ...base, ...setup, dir: setupDir });
      let driven: Awaited<ReturnType<typeof driveSessions>>;
      try {
        driven = await driveSessions(slack!, running.urls, SESSIONS, tag);
      } catch (error) {
        process.stderr.write(`scale bench, ${tag}: ${String(error)}\n${running.logs()}\n`);
        throw error;
      } finally {
        await running.stop();
      }
      const store = running.openStore();
      try {
        const runs = verifiedRuns(store, SESSIONS);
        return {
          [`${tag}_runs_per_s`]: Number((runs / driven.runSeconds).toFixed(3)),
          [`${tag}_p99_step_ms`]: p99(driven.steps),
          [`${tag}_sessions`]: SESSIONS,
          [`${tag}_runs`]: runs,
        };
      } finally {
        store.close();
      }
    };
    const local = await measure('local', {});
    const pg1 = await measure('pg1', { databaseUrl: pg.createDatabase(), workers: 1, runners: 1 });
    const pg3 = await measure('pg3', { databaseUrl: pg.createDatabase(), workers: 3, runners: 3 });
    return {
      ...local,
      ...pg1,
      ...pg3,
      scale_ratio: Number((pg3.pg3_runs_per_s! / pg1.pg1_runs_per_s!).toFixed(2)),
    };
  } finally {
    await slack?.close();
    await openai?.close();
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
