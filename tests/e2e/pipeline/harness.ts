/**
 * One ff2 app for end-to-end journeys: a real SQLite file in a temp dir, the real sandbox and
 * analyser, the scripted model behind the real recording provider, and the in-memory adapter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../../../src/app.js';
import { type Config, loadConfig } from '../../../src/config.js';
import type { LlmProvider } from '../../../src/llm/types.js';
import { createRecordingProvider } from '../../../src/llm/usage.js';
import { type Logger, silentLogger } from '../../../src/logger.js';
import { createToolchain } from '../../../src/python/create.js';
import type { Analysis, PythonToolchain } from '../../../src/python/types.js';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { createSandbox } from '../../../src/sandbox/create.js';
import { defaultLimits } from '../../../src/sandbox/limits.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';
import type { SessionRow } from '../../../src/store/types.js';
import { MemoryAdapter } from '../../fakes/memory-adapter.js';
import { sandboxOnUids } from '../../fakes/own-uids.js';
import { ScriptedLlm, type ScriptResponder } from '../../fakes/scripted-llm.js';

export interface Harness {
  app: App;
  store: SqliteSessionStore;
  llm: ScriptedLlm;
  chat: MemoryAdapter;
  dir: string;
  /** The one session of thread t1 (or `threadId`). */
  session(threadId?: string): SessionRow;
  /** Stops the app and starts a new one over the same store, model and chat (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  responder: ScriptResponder,
  env: Record<string, string> = {},
  /** Build the model edge another way (e.g. the real OpenAI provider against the stand-in). */
  makeLlm?: (config: Readonly<Config>, store: SqliteSessionStore) => Promise<LlmProvider>,
  options: {
    logger?: Logger;
    /** Remember the analyser's answer per source (the same real analyser, asked once per text). */
    memoAnalyze?: boolean;
    /** Folder for the database and data (default the OS temp folder), e.g. /dev/shm for many sessions. */
    parentDir?: string;
    /** The sandbox's own UID range (so parallel test files never share slots); default the product's. */
    uidBase?: number;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'ff2-e2e-'));
  const config = loadConfig({ FF2_DATA_DIR: dir, FF2_SANDBOX_TIMEOUT_S: '20', ...env }, dir);
  const store = openStore(join(dir, 'ff2.db'));
  const llm = new ScriptedLlm(responder);
  // options.uidBase or TEST_UID_BASE (not a config variable): run as the test file's own UIDs.
  const sandbox =
    options.uidBase !== undefined
      ? new ProcessSandbox({
          python: config.sandbox.python,
          slots: config.sandbox.slots,
          limits: defaultLimits({ timeoutS: config.sandbox.timeoutS, memoryMb: config.sandbox.memoryMb }),
          uidBase: options.uidBase,
        })
      : env.TEST_UID_BASE
        ? sandboxOnUids(config, Number(env.TEST_UID_BASE))
        : createSandbox(config);
  const chat = new MemoryAdapter();
  const real = createToolchain(config);
  const memo = new Map<string, Promise<Analysis>>();
  const analyses = { misses: 0 };
  (globalThis as { ff2Analyses?: typeof analyses }).ff2Analyses = analyses;
  const python: PythonToolchain = options.memoAnalyze
    ? {
        ...real,
        analyze(source) {
          let hit = memo.get(source);
          if (!hit) {
            analyses.misses++;
            hit = real.analyze(source);
            memo.set(source, hit);
          }
          return hit;
        },
      }
    : real;
  const llmEdge = makeLlm
    ? await makeLlm(config, store)
    : createRecordingProvider({ provider: llm, store, budget: config.llm.budget });
  const build = () =>
    createApp({
      config,
      store,
      llm: llmEdge,
      sandbox,
      python,
      adapters: [chat],
      logger: options.logger ?? silentLogger,
      progressIntervalMs: 0,
      outboxPollMs: 20,
    });
  let app = build();
  await app.start();
  return {
    get app() {
      return app;
    },
    store,
    llm,
    chat,
    dir,
    session(threadId = 't1') {
      const row = store.getSessionByThread(`terminal:C1:${threadId}`);
      if (!row) throw new Error(`no session in thread ${threadId}`);
      return row;
    },
    async restart() {
      await app.stop();
      app = build();
      await app.start();
    },
    async close() {
      await app.stop();
      await sandbox.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
