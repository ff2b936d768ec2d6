/**
 * `npm run bench -- discord --json`: 200 `/ff2 goal:` interactions dispatched at once to ff2's
 * Discord front door (real discord.js, real app: router, runner, outbox, SQLite, analyser, the
 * scripted model) while 20 sessions are generating (the model answers each section after a
 * delay), and the same 200 to a bare discord.js client that only defers, in the same process and
 * run (interleaved rounds). The stand-ins live in a worker thread and time gateway dispatch →
 * interaction callback, as Discord sees it. `callback_ratio` = ff2 p50 ÷ bare p50
 * (`callback_ratio_p99` the same for p99). Also (bench/delivery.ts): `click_effect_p99_ms` for 40
 * concurrent sessions clicking Approve with Discord's default spacing, and `restart_listen_ms` from
 * `kill -9` of `ff2 serve` to listening again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { createApp } from '../src/app.js';
import { createDiscordFrontDoor } from '../src/bots/discord/create.js';
import type { ChatEvent, ThreadRef } from '../src/bots/types.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/main.js';
import { REFERENCE_GOAL } from '../tests/fakes/reference-goal.js';
import { referenceGoalScript, ScriptedLlm } from '../tests/fakes/scripted-llm.js';
import { clickFigures, restartFigures } from './delivery.js';

const COMMANDS = 200;
const BACKGROUND = Number(process.env.BENCH_DISCORD_BACKGROUND ?? 20);
/** Per generated section; keeps the background sessions generating through the measurement. */
const GENERATE_DELAY_MS = 8000;
const ROUNDS = 2;

interface Info {
  ff2: { apiUrl: string; appId: string; channelId: string };
  bare: { apiUrl: string; appId: string };
}

export async function benchDiscord(): Promise<Record<string, number | string>> {
  // Callbacks first, on a fresh process: the delivery figures spawn and kill ff2 processes.
  const callbacks = await callbackFigures();
  return { ...callbacks, ...(await clickFigures('discord')), ...(await restartFigures('discord')) };
}

async function callbackFigures(): Promise<Record<string, number | string>> {
  const worker = await startWorker();
  const info = worker.info;
  const bare = await startBareClient(info.bare.apiUrl);
  const ff2 = await startFf2(info.ff2);
  try {
    await ff2.startBackground(BACKGROUND);
    const generatingBefore = ff2.generating();
    // Warm both paths (JIT, one keep-alive socket per concurrent request) before measuring.
    await worker.call({ op: 'fire', target: 'bare', count: COMMANDS, tag: 'warm' });
    await worker.call({ op: 'fire', target: 'ff2', count: COMMANDS, tag: 'warm' });
    let started = BACKGROUND + COMMANDS;
    // Each ff2 round leaves 200 sessions starting; let them reach their first question before the
    // next bare round, so the baseline is not measured under ff2's leftover work.
    await ff2.settle(started);
    const bareMs: number[] = [];
    const ff2Ms: number[] = [];
    const gaps: number[] = [];
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    for (let round = 0; round < ROUNDS; round++) {
      bareMs.push(...(await fire(worker, 'bare', `bare${round}`)));
      last = performance.now();
      maxGap = 0;
      ff2Ms.push(...(await fire(worker, 'ff2', `ff2${round}`)));
      gaps.push(maxGap);
      started += COMMANDS;
      await ff2.settle(started);
    }
    clearInterval(ticker);
    const generatingAfter = ff2.generating();
    const p = (xs: number[], q: number) => round2(percentile(xs, q));
    return {
      commands: COMMANDS,
      rounds: ROUNDS,
      background_sessions: BACKGROUND,
      background_generating_before: generatingBefore,
      background_generating_after: generatingAfter,
      model_calls: ff2.modelCalls(),
      settle_timeouts: ff2.settleTimeouts(),
      settle_total_s: round2(ff2.settleMs() / 1000),
      event_loop_gap_max_ms: round2(Math.max(...gaps)),
      callback_p50_ms: p(ff2Ms, 0.5),
      callback_p99_ms: p(ff2Ms, 0.99),
      callback_max_ms: p(ff2Ms, 1),
      bare_p50_ms: p(bareMs, 0.5),
      bare_p99_ms: p(bareMs, 0.99),
      callback_ratio: round2(percentile(ff2Ms, 0.5) / Math.max(percentile(bareMs, 0.5), 0.01)),
      callback_ratio_p99: round2(percentile(ff2Ms, 0.99) / Math.max(percentile(bareMs, 0.99), 0.01)),
    };
  } finally {
    await ff2.stop();
    await bare.destroy();
    await worker.close();
  }
}

async function startFf2(target: Info['ff2']) {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-discord-'));
  const config = loadConfig(
    {
      FF2_DATA_DIR: dir,
      FF2_LOG_LEVEL: 'silent',
      DISCORD_TOKEN: 'bench-token',
      DISCORD_APP_ID: target.appId,
      DISCORD_API_URL: target.apiUrl,
      // One bench user owns every background session: per-person quotas would refuse the 4th.
      FF2_MAX_ACTIVE_SESSIONS_PER_USER: '0',
      FF2_MAX_SESSIONS_PER_USER_PER_DAY: '0',
    },
    dir,
  );
  const answers = referenceGoalScript();
  const llm = new ScriptedLlm(async (call) => {
    if (call.task === 'generate') await new Promise((r) => setTimeout(r, GENERATE_DELAY_MS));
    return answers(call);
  });
  const built = await buildRuntime(config, { logger: silentLogger, model: llm });
  if (!built.ok) throw new Error(`no runtime: ${built.part}`);
  const { runtime } = built;
  const { store } = runtime;
  const adapter = await createDiscordFrontDoor(config, silentLogger);
  if (!adapter) throw new Error('discord front door not configured');
  const app = createApp({
    config,
    store,
    llm: runtime.llm,
    sandbox: runtime.sandbox,
    python: runtime.python,
    adapters: [adapter],
    logger: silentLogger,
  });
  await app.start();
  const threads: ThreadRef[] = [];
  let settleTimeouts = 0;
  let settleMs = 0;
  const threadKey = (t: ThreadRef) => `discord:${t.channelId}:${t.threadId}`;
  return {
    modelCalls: () => llm.calls.length,
    settleTimeouts: () => settleTimeouts,
    settleMs: () => settleMs,
    /** Waits until `sessions` exist and only the background ones are still working. */
    async settle(sessions: number) {
      const background = new Set(threads.map((t) => store.getSessionByThread(threadKey(t))?.id));
      const started = performance.now();
      for (let waited = 0; waited < 60_000; waited += 50) {
        const all = store.listSessions({ limit: 1_000_000 });
        const working = store.listResumable().filter((row) => !background.has(row.id)).length;
        if (all.length >= sessions && working === 0) {
          settleMs += performance.now() - started;
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      settleTimeouts++;
    },
    generating: () =>
      threads.filter((t) => store.getSessionByThread(threadKey(t))?.stage === 'generate').length,
    /** Starts `n` sessions through the router (as the adapter would) and approves their outlines. */
    async startBackground(n: number) {
      for (let i = 0; i < n; i++) {
        const thread: ThreadRef = {
          platform: 'discord',
          channelId: target.channelId,
          threadId: `17${String(i).padStart(17, '0')}`,
        };
        threads.push(thread);
        const user = { id: '1500000000000000001' };
        await app.router.handle({ kind: 'start', id: `bg-start-${i}`, thread, user, goal: REFERENCE_GOAL });
      }
      await app.idle();
      for (const [i, thread] of threads.entries()) {
        const session = store.getSessionByThread(threadKey(thread));
        if (session?.stage !== 'approve_outline')
          throw new Error(`background session ${i} is at ${session?.stage}`);
        const approve: ChatEvent = {
          kind: 'action',
          id: `bg-approve-${i}`,
          thread,
          user: { id: '1500000000000000001' },
          sessionId: session.id,
          action: 'approve',
        };
        await app.router.handle(approve);
      }
    },
    async stop() {
      await app.stop();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The baseline: discord.js as shipped (default transport), no app behind it, deferring every command. */
async function startBareClient(apiUrl: string): Promise<Client> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: apiUrl, retries: 0, timeout: 15_000 },
  });
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.deferReply().catch(() => undefined);
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login('bare-token');
  await ready;
  return client;
}

async function startWorker() {
  // The worker registers tsx's loader itself, so it can import the TypeScript stand-in.
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./discord-worker.ts', import.meta.url).href;
  const source = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(source, { eval: true });
  const info = await new Promise<Info>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let queue = Promise.resolve<unknown>(undefined);
  const call = (request: Record<string, unknown>) => {
    const next = queue.then(
      () =>
        new Promise<unknown>((resolve, reject) => {
          worker.once('message', (message: unknown) => {
            if (message && typeof message === 'object' && 'error' in message)
              reject(new Error(String(message.error)));
            else resolve(message);
          });
          worker.postMessage(request);
        }),
    );
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    info,
    call,
    close: async () => {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

async function fire(
  worker: { call(request: object): Promise<unknown> },
  target: 'ff2' | 'bare',
  tag: string,
) {
  return (await worker.call({ op: 'fire', target, count: COMMANDS, tag })) as number[];
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
