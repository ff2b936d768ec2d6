/**
 * The composition root: builds the runtime (config → sandbox check → store → model → toolchain)
 * once, for `ff2 chat`, `ff2 serve` and the benches. Each edge's factory lives in its own folder
 * (store/open.ts, sandbox/create.ts, llm/create.ts, python/create.ts, bots/<platform>/create.ts);
 * only the entry layer (cli.ts, commands/) imports this file.
 */
import { checkModel } from './bots/terminal/preflight.js';
import type { Config } from './config.js';
import { createLlmProvider } from './llm/create.js';
import type { LlmProvider } from './llm/types.js';
import { createRecordingProvider } from './llm/usage.js';
import { createLogger, type Logger } from './logger.js';
import { createToolchain } from './python/create.js';
import type { PythonToolchain } from './python/types.js';
import { createSandbox } from './sandbox/create.js';
import type { Sandbox } from './sandbox/types.js';
import { createStore } from './store/open.js';
import type { SessionStore } from './store/types.js';

/** Everything a running ff2 needs besides its chat adapters. */
export interface Runtime {
  config: Readonly<Config>;
  logger: Logger;
  store: SessionStore;
  /** Checked: it can run scripts (here, or on `ff2 runner` processes). */
  sandbox: Sandbox & { close(): Promise<void> };
  /** The recording provider: llm_calls rows, replay by callKey, the per-session budget. */
  llm: LlmProvider;
  python: PythonToolchain;
  /** Closes the model and the sandbox, and the store when the runtime opened it. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Default: the configured logger (FF2_LOG_LEVEL). */
  logger?: Logger;
  /** An open store the caller keeps (and closes), e.g. the one `ff2 serve` holds its lease on. */
  store?: SessionStore;
  /** The model to record calls of instead of the configured one (the benches' scripted model). */
  model?: LlmProvider;
  /** Check the configured model can be reached (or is on disk) before opening anything else. */
  preflightModel?: boolean;
  /**
   * Work done while the sandbox is probed (ff2 serve loads its front doors); `false` from it stops
   * the build (the caller says why). If it throws, the sandbox is closed and the error rethrown.
   */
  alongside?: () => Promise<boolean>;
  /**
   * Where scripts run instead of this machine's sandbox (`ff2 serve --runs=remote`); probed and
   * closed like it.
   */
  sandbox?: Sandbox & { close(): Promise<void> };
  /** Model download progress (default: nowhere). */
  progress?: (text: string) => void;
}

/** Why no runtime was built: the sandbox or the model cannot work here, or `alongside` said stop. */
export type RuntimeProblem =
  | { part: 'sandbox' | 'model'; detail: string; fix: string | undefined }
  | { part: 'stopped' };

/**
 * Builds the runtime in the one order every entry point shares: sandbox (created and probed),
 * the model preflight, the store, the model (recorded in the store), the toolchain.
 * @throws ConfigError, SandboxError or StoreError when an edge cannot be built at all.
 */
export async function buildRuntime(
  config: Readonly<Config>,
  options: RuntimeOptions = {},
): Promise<{ ok: true; runtime: Runtime } | ({ ok: false } & RuntimeProblem)> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const sandbox = options.sandbox ?? createSandbox(config, logger);
  let store: SessionStore | undefined;
  let llm: LlmProvider | undefined;
  let built = false;
  try {
    const checking = sandbox.check();
    if (options.alongside && !(await settleBoth(options.alongside(), checking)))
      return { ok: false, part: 'stopped' };
    const check = await checking;
    if (!check.ok) return { ok: false, part: 'sandbox', detail: check.detail, fix: check.fix };
    if (options.preflightModel) {
      const problem = await checkModel(config, options.progress ?? (() => undefined));
      if (problem) return { ok: false, part: 'model', ...problem };
    }
    store = options.store ?? createStore(config);
    llm = options.model
      ? createRecordingProvider({
          provider: options.model,
          store,
          budget: config.llm.budget,
          prices: config.llm.prices,
          logger,
        })
      : await createLlmProvider(config, logger, {
          store,
          ...(options.progress ? { progress: options.progress } : {}),
        });
    const owned = options.store ? undefined : store;
    const model = llm;
    const runtime: Runtime = {
      config,
      logger,
      store,
      sandbox,
      llm: model,
      python: createToolchain(config),
      async close() {
        try {
          await model.close?.();
          await sandbox.close();
        } finally {
          owned?.close();
        }
      },
    };
    built = true;
    return { ok: true, runtime };
  } finally {
    if (!built) {
      await llm?.close?.();
      if (store && !options.store) store.close();
      await sandbox.close();
    }
  }
}

/** `alongside`'s answer once the probe has settled too (a failed probe is read by the caller). */
async function settleBoth(alongside: Promise<boolean>, checking: Promise<unknown>): Promise<boolean> {
  try {
    return await alongside;
  } finally {
    await checking.catch(() => undefined);
  }
}

/** The lines a command prints when no runtime could be built; undefined for `stopped`. */
export function describeRuntimeProblem(
  command: string,
  problem: RuntimeProblem,
  doctorHint = true,
): string | undefined {
  if (problem.part === 'stopped') return undefined;
  const what = problem.part === 'sandbox' ? 'the sandbox cannot run scripts here' : 'no model to talk to';
  const fix = problem.fix ? `Fix: ${problem.fix}\n` : '';
  return `ff2 ${command}: ${what}: ${problem.detail}\n${fix}${doctorHint ? 'Then check everything with: ff2 doctor\n' : ''}`;
}

/**
 * Calls `handler` on Ctrl+C (SIGINT) and SIGTERM instead of exiting; a second Ctrl+C exits at
 * once (130). Returns the function that removes the handlers.
 */
export function onInterrupt(handler: () => void): () => void {
  let count = 0;
  const listener = () => {
    count++;
    if (count > 1) process.exit(130);
    handler();
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
