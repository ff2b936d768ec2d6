/**
 * The integration point: wires the router, the pipeline runner and the outbox over the store and
 * the edges, and starts/stops the chat adapters. `ff2 serve` and `ff2 chat` build one App each.
 */
import { randomUUID } from 'node:crypto';
import { Outbox } from './bots/outbox.js';
import { Router, type RouterMetrics } from './bots/router.js';
import type { ChatAdapter } from './bots/types.js';
import type { Config } from './config.js';
import type { LlmProvider } from './llm/types.js';
import type { Logger } from './logger.js';
import { PipelineRunner } from './pipeline/runner.js';
import type { PythonToolchain } from './python/types.js';
import type { Sandbox } from './sandbox/types.js';
import { holderIsDead, newHolderId } from './store/lease.js';
import type { SessionStore, WorkerLeases } from './store/types.js';

export interface AppDeps {
  config: Readonly<Config>;
  store: SessionStore;
  /** Should be the recording provider (replay by callKey, budget, llm_calls). */
  llm: LlmProvider;
  sandbox: Sandbox;
  python: PythonToolchain;
  adapters: readonly ChatAdapter[];
  logger: Logger;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  /** Session ids. Default short random ids. */
  randomId?: () => string;
  /**
   * Holder name for the database's serving lease, taken in start() and renewed; `false` when the
   * caller holds it already. Default `ff2@<host>:<pid>:<start time>:<random>` (store/lease.ts): a
   * later start on this host takes over at once when this process is gone.
   */
  leaseHolder?: string | false;
  /** Minimum ms between two edits of one status message. Default 2,000. */
  progressIntervalMs?: number;
  /** Outbox idle poll in ms. Default 250. */
  outboxPollMs?: number;
  /**
   * Serve only these threads (`ff2 chat` drives one session): resume only their sessions, deliver
   * only their messages, and let idle() wait only for them. Every thread when absent.
   */
  threadKeys?: readonly string[];
  /** Step and dedupe counters for /metrics. */
  metrics?: RouterMetrics;
  /** Runs each step in a per-session scope (ops/work.ts `withSession`, for "busy, you're number N"). */
  scope?: <T>(sessionId: string, run: () => Promise<T>) => Promise<T>;
  /**
   * One of many workers on PostgreSQL (pass `leaseHolder: false`): registers itself, renews its
   * session leases every third of `ttlMs`, and resumes the working sessions nobody holds (a dead
   * worker's, after its leases expire) instead of every working session.
   */
  workers?: { leases: WorkerLeases; ttlMs: number };
}

export interface App {
  router: Router;
  runner: PipelineRunner;
  outbox: Outbox;
  /** Takes the lease, starts adapters with router.handle, resumes working sessions, starts the outbox. */
  start(): Promise<void>;
  /**
   * Stops taking events, lets running steps commit (or, with `abortRunning`, aborts them: they
   * commit nothing and re-run on the next start), drains the outbox (bounded), stops adapters.
   */
  stop(options?: { abortRunning?: boolean }): Promise<void>;
  /** Resolves when no step or event is in flight and the outbox has nothing pending. */
  idle(): Promise<void>;
  /** True while this process holds (and keeps renewing) the serving lease; true when it needs none. */
  leaseHeld(): boolean;
}

const LEASE_TTL_MS = 30_000;

/**
 * Takes (or renews) the database's serving lease for `holder`, taking it over at once from a dead
 * holder on this host (store/lease.ts) and saying so in the log.
 * @throws LeaseHeldError while another live process holds it.
 */
export function takeServingLease(store: SessionStore, holder: string, logger: Logger): void {
  const takenFrom = store.acquireLease(holder, LEASE_TTL_MS, (h) => holderIsDead(h));
  if (takenFrom)
    logger.warn('took over the serving lease of a dead ff2 process', { from: takenFrom, holder });
}

export function createApp(deps: AppDeps): App {
  const { store, logger } = deps;
  const now = deps.now ?? Date.now;
  const runner = new PipelineRunner({
    store,
    llm: deps.llm,
    sandbox: deps.sandbox,
    python: deps.python,
    maxRepairs: deps.config.pipeline.maxRepairs,
    approvers: deps.config.pipeline.approvers,
    maxBudgetContinues: deps.config.pipeline.maxBudgetContinues,
    files: { read: (id) => store.getBlob(id) },
    // What the prompts tell the model about a run; package discovery (issue 13) fills `packages`.
    runRules: {
      wallSeconds: deps.config.sandbox.timeoutS,
      memoryMb: deps.config.sandbox.memoryMb,
      packages: [],
    },
    logger: logger.child('pipeline'),
    now,
    ...(deps.progressIntervalMs !== undefined ? { progressIntervalMs: deps.progressIntervalMs } : {}),
  });
  const outbox = new Outbox({
    store,
    adapters: deps.adapters,
    logger: logger.child('outbox'),
    now,
    ...(deps.outboxPollMs !== undefined ? { pollMs: deps.outboxPollMs } : {}),
    ...(deps.threadKeys ? { threadKeys: deps.threadKeys } : {}),
  });
  const mine = (threadKey: string) => !deps.threadKeys || deps.threadKeys.includes(threadKey);
  const router = new Router({
    store,
    runner,
    logger: logger.child('router'),
    approvers: deps.config.pipeline.approvers,
    access: deps.config.access,
    quotas: deps.config.quotas,
    reviewPolicy: deps.config.pipeline.reviewPolicy,
    fileLimits: {
      maxFileBytes: deps.config.sandbox.maxInputBytes,
      perMessage: deps.config.files.perMessage,
      perSession: deps.config.files.perSession,
      sessionBytes: deps.config.files.sessionBytes,
    },
    now,
    randomId: deps.randomId ?? (() => randomUUID().slice(0, 8)),
    templatesDir: deps.config.pipeline.templatesDir,
    onCommitted: () => outbox.kick(),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.scope ? { scope: deps.scope } : {}),
  });
  const holder = deps.leaseHolder === false ? undefined : (deps.leaseHolder ?? newHolderId());
  let renew: ReturnType<typeof setInterval> | undefined;
  let stopWorking: (() => void) | undefined;
  let started = false;
  let leaseOk = !holder;

  return {
    router,
    runner,
    outbox,
    async start() {
      if (started) return;
      started = true;
      if (holder) {
        takeServingLease(store, holder, logger);
        leaseOk = true;
        renew = setInterval(() => {
          try {
            store.acquireLease(holder, LEASE_TTL_MS);
            leaseOk = true;
          } catch (error) {
            leaseOk = false;
            logger.error('lease renewal failed', { error: String(error) });
          }
        }, LEASE_TTL_MS / 3);
        renew.unref();
      }
      const requeued = store.requeueSending();
      if (requeued > 0) logger.warn('outbox rows requeued after a crash', { requeued });
      outbox.start();
      for (const adapter of deps.adapters) await adapter.start(router.handle);
      if (deps.workers) {
        stopWorking = startWorker(deps.workers, (id) => router.drive(id), logger);
        return;
      }
      for (const session of store.listResumable()) if (mine(session.threadKey)) router.drive(session.id);
    },
    async stop(options) {
      router.close();
      if (options?.abortRunning) router.abortAll();
      await router.idle();
      await outbox.stop(5000);
      for (const adapter of deps.adapters) {
        try {
          await adapter.stop();
        } catch (error) {
          logger.warn('adapter stop failed', { platform: adapter.platform, error: String(error) });
        }
      }
      if (renew) clearInterval(renew);
      stopWorking?.();
      if (holder) store.releaseLease(holder);
      leaseOk = !holder;
    },
    leaseHeld: () => leaseOk,
    async idle() {
      for (;;) {
        await router.idle();
        if (store.pendingOutbox(deps.threadKeys) === 0 && !outbox.busy) {
          await new Promise((resolve) => setImmediate(resolve));
          if (store.pendingOutbox(deps.threadKeys) === 0 && !outbox.busy) {
            await router.idle();
            if (store.pendingOutbox(deps.threadKeys) === 0) return;
          }
        }
        outbox.kick();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

/**
 * A PostgreSQL worker's loop: register, then every third of the lease renew this worker and its
 * sessions, requeue dead workers' unfinished deliveries and resume orphaned working sessions.
 * Returns the stop (unregisters, freeing this worker's leases).
 */
function startWorker(
  w: { leases: WorkerLeases; ttlMs: number },
  drive: (sessionId: string) => void,
  logger: Logger,
): () => void {
  const tick = () => {
    try {
      w.leases.registerWorker({ pid: process.pid }, w.ttlMs);
      w.leases.renewSessions(w.ttlMs);
      const requeued = w.leases.requeueDeadSending();
      if (requeued > 0) logger.warn('outbox rows of a dead worker requeued', { requeued });
      const orphans = w.leases.claimOrphans(w.ttlMs, 100);
      if (orphans.length > 0) logger.warn('resuming sessions no worker holds', { sessions: orphans.length });
      for (const id of orphans) drive(id);
    } catch (error) {
      logger.error('worker lease renewal failed', { error: String(error) });
    }
  };
  tick();
  const timer = setInterval(tick, w.ttlMs / 3);
  timer.unref();
  return () => {
    clearInterval(timer);
    try {
      w.leases.retireWorker();
    } catch (error) {
      logger.warn('could not unregister the worker', { error: String(error) });
    }
  };
}
