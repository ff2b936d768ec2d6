import { createApp, takeServingLease } from '../app.js';
import { describePolicy } from '../bots/access.js';
import { createDiscordFrontDoor } from '../bots/discord/create.js';
import { createSlackFrontDoor } from '../bots/slack/create.js';
import type { ChatAdapter } from '../bots/types.js';
import { type Config, loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { buildRuntime, describeRuntimeProblem, onInterrupt } from '../main.js';
import { answerOps, Health, type OpsResponse } from '../ops/health.js';
import { startOpsServer } from '../ops/http.js';
import { Metrics } from '../ops/metrics.js';
import { scheduleDailyPrune } from '../ops/retention.js';
import { scheduleSharedPrune } from '../ops/retention-jobs.js';
import { sayInThread, WorkLimits, withSession } from '../ops/work.js';
import { createRemoteSandbox } from '../runners/create.js';
import { ProcessSandbox } from '../sandbox/bwrap.js';
import { newHolderId } from '../store/lease.js';
import { createStore } from '../store/open.js';
import type { SessionStore, WorkerLeases } from '../store/types.js';
import { parseCommandArgs } from './args.js';
import type { CliIo, Command } from './types.js';

/** How long a graceful stop may take before ff2 gives up waiting (the issue asks for < 10 s). */
export const STOP_DEADLINE_MS = 9_000;

const USAGE = `Usage: ff2 serve [--host <address>] [--runs local|remote]

Starts every configured chat front door and resumes unfinished sessions:
  Slack    when SLACK_BOT_TOKEN is set: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP on
           FF2_HTTP_PORT (POST /slack/events, GET /healthz, GET /metrics) with SLACK_SIGNING_SECRET
  Discord  when DISCORD_TOKEN and DISCORD_APP_ID are set (gateway; register /ff2 once with
           "ff2 discord register")
GET /healthz and GET /metrics (Prometheus) are also served on FF2_METRICS_PORT when set.
One server per SQLite database (FF2_DB); with PostgreSQL (FF2_DATABASE_URL) any number of
workers share the sessions. SIGTERM or Ctrl+C stops taking events, lets running steps
commit, drains the outbox and exits within 10 s.

  --host <address>   HTTP bind address (default: all interfaces)
  --runs remote      run scripts on "ff2 runner" processes (needs FF2_DATABASE_URL; FF2_RUNS)`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the chat front doors (Slack, Discord) and resume sessions',
  usage: USAGE,
  async run(args, io) {
    const { host, runs } = parseCommandArgs({
      args,
      options: { host: { type: 'string' }, runs: { type: 'string' } },
      strict: true,
    }).values;
    if (runs !== undefined && runs !== 'local' && runs !== 'remote')
      throw new UsageError('--runs must be local or remote');
    return serve(io, host, runs);
  },
};

async function serve(io: CliIo, host: string | undefined, runs?: 'local' | 'remote'): Promise<number> {
  const loaded = loadConfig(io.env, io.cwd);
  const config = runs ? { ...loaded, runs } : loaded;
  const logger = createLogger(config.logLevel);
  const holder = newHolderId();
  // PostgreSQL: one of many workers, each driving the sessions it holds a lease on (store/pg/leases.ts).
  if (config.databaseUrl) {
    const store = createStore(config, { worker: holder });
    try {
      return await serveHolding(io, host, { config, logger, store, holder: false });
    } finally {
      store.close();
    }
  }
  // SQLite: the lease first: a second server is refused before it touches the sandbox (whose slots
  // belong to the live one), and a dead holder's lease is taken over at once.
  const store = createStore(config);
  try {
    takeServingLease(store, holder, logger);
  } catch (error) {
    store.close();
    throw error;
  }
  try {
    return await serveHolding(io, host, { config, logger, store, holder });
  } finally {
    store.releaseLease(holder);
    store.close();
  }
}

interface Holding {
  config: Readonly<Config>;
  logger: Logger;
  store: SessionStore;
  /** The SQLite serving lease's holder; false for a PostgreSQL worker (session leases instead). */
  holder: string | false;
}

async function serveHolding(io: CliIo, host: string | undefined, h: Holding): Promise<number> {
  const { config, logger, store } = h;
  // FF2_RUNS=remote: runs go to `ff2 runner` processes through the database instead.
  const remote = config.runs === 'remote' ? await createRemoteSandbox(config, store) : undefined;
  const adapters: ChatAdapter[] = [];
  // /healthz and /metrics: answered once the app exists (the Slack receiver starts before it).
  let answer: ((path: string) => Promise<OpsResponse | undefined>) | undefined;
  const ops = async (path: string): Promise<OpsResponse | undefined> =>
    answer ? answer(path) : { status: 503, contentType: 'text/plain', body: 'starting' };
  // The sandbox probe runs while the front doors load (a restart must listen quickly).
  const built = await buildRuntime(config, {
    logger,
    store,
    ...(remote ? { sandbox: remote } : {}),
    progress: (text) => io.err(text),
    alongside: async () => {
      const slack = await createSlackFrontDoor(config, logger, { ...(host ? { host } : {}), ops });
      if (slack) adapters.push(slack);
      const discord = await createDiscordFrontDoor(config, logger);
      if (discord) adapters.push(discord);
      if (adapters.length > 0) return true;
      io.err(
        'ff2 serve: no chat front door is configured.\n' +
          'Set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP); see "ff2 slack manifest".\n' +
          'For Discord set DISCORD_TOKEN and DISCORD_APP_ID; see "ff2 discord register".\n' +
          'For a session in this terminal use "ff2 chat".\n',
      );
      return false;
    },
  });
  if (!built.ok) {
    io.err(describeRuntimeProblem('serve', built, false) ?? '');
    return 3;
  }
  const { runtime } = built;
  const { sandbox } = runtime;
  try {
    if (sandbox instanceof ProcessSandbox) {
      const { cgroup } = await sandbox.health();
      if (!cgroup.ok)
        io.err(`ff2 serve: warning: ${cgroup.detail}\nFix: ${cgroup.fix ?? 'see ff2 doctor'}\n`);
    }
    const work = new WorkLimits({
      modelCalls: config.work.modelCalls,
      sandboxRuns: config.sandbox.slots,
      analysers: config.work.analysers,
      maxQueued: config.work.maxQueued,
      say: sayInThread(store),
    });
    const metrics = new Metrics({ store, queues: () => work.stats() });
    const app = createApp({
      config,
      store,
      llm: metrics.meterLlm(work.llm(runtime.llm)),
      sandbox: metrics.meterSandbox(work.bindSandbox(sandbox)),
      python: work.toolchain(runtime.python),
      adapters,
      logger,
      metrics,
      scope: withSession,
      leaseHolder: h.holder,
      ...(h.holder === false
        ? { workers: { leases: store as unknown as WorkerLeases, ttlMs: config.workerLeaseMs } }
        : {}),
    });
    const health = new Health({ store, leaseHeld: () => app.leaseHeld() });
    let stopPruning: () => unknown = () => {};
    answer = (path) => answerOps(path, { health, metrics });
    const opsServer =
      config.metricsPort !== undefined ? await startOpsServer(config.metricsPort, host, ops) : undefined;
    let stopRequested!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stopRequested = resolve;
    });
    const stopListening = onInterrupt(() => stopRequested());
    try {
      await app.start();
      stopPruning = await startRetention(config, store, logger.child('retention'));
      const doors = adapters.map((a) => describeDoor(a)).join(', ');
      const metricsAt = opsServer ? `; /healthz and /metrics on :${opsServer.port}` : '';
      io.err(`ff2 serve: listening (${doors}${metricsAt}); Ctrl+C or SIGTERM to stop\n`);
      io.err(`ff2 serve: ${describeLimits(config)}\n`);
      logger.info('effective policy', { access: describePolicy(config.access), quotas: config.quotas });
      await stopped;
      io.err('ff2 serve: stopping…\n');
    } finally {
      const done = await withDeadline(app.stop(), STOP_DEADLINE_MS);
      stopListening();
      await opsServer?.close();
      health.close();
      await stopPruning();
      if (!done) logger.warn('graceful stop took too long; exiting anyway', { deadlineMs: STOP_DEADLINE_MS });
    }
    return 0;
  } finally {
    await runtime.close();
  }
}

/**
 * Retention: with PostgreSQL one prune a day for all workers through the job library; with SQLite
 * (or when the job library cannot start) this process's own daily timer.
 */
async function startRetention(
  config: Readonly<Config>,
  store: SessionStore,
  logger: Logger,
): Promise<() => unknown> {
  if (config.databaseUrl) {
    try {
      return await scheduleSharedPrune(config.databaseUrl, store, config.retentionDays, logger);
    } catch (error) {
      logger.warn("retention falls back to this worker's own daily timer", {
        error: (error as Error).message,
      });
    }
  }
  return scheduleDailyPrune(store, config.retentionDays, logger);
}

/** The effective access policy and limits, one line, for the operator. */
export function describeLimits(config: Readonly<Config>): string {
  const access = Object.entries(describePolicy(config.access))
    .map(([axis, who]) => `${axis}=${who}`)
    .join(' ');
  const { activePerUser, perUserPerDay } = config.quotas;
  const { usd, tokens } = config.llm.budget;
  const budget = [usd !== undefined ? `$${usd}` : '', tokens !== undefined ? `${tokens} tokens` : '']
    .filter(Boolean)
    .join(' / ');
  return `access ${access}; per user ${activePerUser || 'unlimited'} active, ${perUserPerDay || 'unlimited'} a day; budget ${budget || 'unlimited'} per session; review policy ${config.pipeline.reviewPolicy}`;
}

function describeDoor(adapter: ChatAdapter): string {
  const port = (adapter as { port?: number }).port;
  return port !== undefined ? `${adapter.platform} http :${port}` : adapter.platform;
}

/** True when `work` settled before the deadline. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true as const,
        () => true as const,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
