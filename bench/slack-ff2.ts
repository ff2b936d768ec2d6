/**
 * The ff2 side of the Slack benchmark: the whole app (router, runner, outbox, real SQLite file,
 * real sandbox and analyser) behind the real Slack front door (Bolt over HTTP, built by the
 * composition root), with the scripted model answering the reference goal after a delay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.js';
import { createSlackFrontDoor } from '../src/bots/slack/create.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/main.js';
import { answerOps, Health } from '../src/ops/health.js';
import { Metrics } from '../src/ops/metrics.js';
import { sayInThread, WorkLimits, withSession } from '../src/ops/work.js';
import { referenceGoalScript, ScriptedLlm } from '../tests/fakes/scripted-llm.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../tests/fakes/slack-server.js';

const WORKING_STAGES = new Set(['generate', 'review', 'qa', 'qa_fix']);

export async function startFf2ForBench(options: { apiUrl: string; modelDelayMs: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-slack-'));
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: options.apiUrl,
      FF2_HTTP_PORT: '0',
      FF2_DATA_DIR: dir,
      FF2_LOG_LEVEL: 'silent',
    },
    dir,
  );
  const script = referenceGoalScript();
  const llm = new ScriptedLlm(async (call) => {
    await new Promise((r) => setTimeout(r, options.modelDelayMs));
    return script(call);
  });
  const built = await buildRuntime(config, { logger: silentLogger, model: llm });
  if (!built.ok) throw new Error(`no runtime: ${built.part}`);
  const { runtime } = built;
  const { store, sandbox } = runtime;
  // Limits on, as in ff2 serve: bounded work, metrics, /healthz and /metrics on the same port.
  const work = new WorkLimits({
    modelCalls: config.work.modelCalls,
    sandboxRuns: config.sandbox.slots,
    analysers: config.work.analysers,
    maxQueued: config.work.maxQueued,
    say: sayInThread(store),
  });
  const metrics = new Metrics({ store, queues: () => work.stats() });
  let health: Health | undefined;
  const adapter = await createSlackFrontDoor(config, silentLogger, {
    host: '127.0.0.1',
    ops: async (path) => (health ? answerOps(path, { health, metrics }) : undefined),
  });
  if (!adapter) throw new Error('slack front door not configured');
  const app = createApp({
    config,
    store,
    llm: metrics.meterLlm(work.llm(runtime.llm)),
    sandbox: metrics.meterSandbox(work.bindSandbox(sandbox)),
    python: work.toolchain(runtime.python),
    adapters: [adapter],
    logger: silentLogger,
    metrics,
    scope: withSession,
  });
  await app.start();
  health = new Health({ store, leaseHeld: () => app.leaseHeld() });
  const sessions = (prefix: string) =>
    store.listSessions({ limit: 10_000 }).filter((s) => s.goal.startsWith(prefix));

  return {
    botUrl: `http://127.0.0.1:${adapter.port}/slack/events`,
    modelCalls: () => llm.calls.length,
    /** Waits until `n` sessions whose goal starts with `prefix` wait at the outline gate. */
    async waitOutlines(prefix: string, n: number) {
      for (let i = 0; i < 6000; i++) {
        if (sessions(prefix).filter((s) => s.stage === 'approve_outline').length >= n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`background sessions did not reach the outline (${prefix})`);
    },
    /** Approves the outline of those sessions (as their owners), so they start generating. */
    async approveOutlines(prefix: string) {
      for (const s of sessions(prefix)) {
        const [platform, channelId, threadId] = s.threadKey.split(':') as [string, string, string];
        void app.router.handle({
          kind: 'action',
          id: `bench-approve-${s.id}`,
          thread: { platform: platform as 'slack', channelId, threadId },
          user: { id: s.ownerId.slice('slack:'.length) },
          sessionId: s.id,
          action: 'approve',
        });
      }
    },
    /** Sessions with this goal prefix in a generating stage right now. */
    generating: (prefix: string) => sessions(prefix).filter((s) => WORKING_STAGES.has(s.stage)).length,
    async stop() {
      health?.close();
      await app.stop();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
