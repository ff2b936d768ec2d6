/**
 * The integration point: wires the router, the pipeline runner and the outbox over the store and
 * the edges, and starts/stops the chat adapters. `ff2 serve` and `ff2 chat` build one App each.
 */
import { randomUUID } from 'node:crypto';
import { Outbox } from './bots/outbox.js';
import { Router } from './bots/router.js';
import type { ChatAdapter } from './bots/types.js';
import type { Config } from './config.js';
import type { LlmProvider } from './llm/types.js';
import type { Logger } from './logger.js';
import { PipelineRunner } from './pipeline/runner.js';
import type { PythonToolchain } from './python/types.js';
import type { Sandbox } from './sandbox/types.js';
import type { SessionStore } from './store/types.js';

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
   * caller holds it already. Default `ff2-<pid>-<random>`.
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
}

const LEASE_TTL_MS = 30_000;

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
    randomId: deps.randomId ?? (() => randomUUID().slice(0, 8)),
    templatesDir: deps.config.pipeline.templatesDir,
    onCommitted: () => outbox.kick(),
  });
  const holder =
    deps.leaseHolder === false
      ? undefined
      : (deps.leaseHolder ?? `ff2-${process.pid}-${randomUUID().slice(0, 6)}`);
  let renew: ReturnType<typeof setInterval> | undefined;
  let started = false;

  return {
    router,
    runner,
    outbox,
    async start() {
      if (started) return;
      started = true;
      if (holder) {
        store.acquireLease(holder, LEASE_TTL_MS);
        renew = setInterval(() => {
          try {
            store.acquireLease(holder, LEASE_TTL_MS);
          } catch (error) {
            logger.error('lease renewal failed', { error: String(error) });
          }
        }, LEASE_TTL_MS / 3);
        renew.unref();
      }
      const requeued = store.requeueSending();
      if (requeued > 0) logger.warn('outbox rows requeued after a crash', { requeued });
      outbox.start();
      for (const adapter of deps.adapters) await adapter.start(router.handle);
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
      if (holder) store.releaseLease(holder);
    },
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
