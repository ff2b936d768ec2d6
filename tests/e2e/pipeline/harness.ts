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
import { silentLogger } from '../../../src/logger.js';
import { createSandbox, createToolchain } from '../../../src/main.js';
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
  close(): Promise<void>;
}

export async function startHarness(
  responder: ScriptResponder,
  env: Record<string, string> = {},
  /** Build the model edge another way (e.g. the real OpenAI provider against the stand-in). */
  makeLlm?: (config: Readonly<Config>, store: SqliteSessionStore) => Promise<LlmProvider>,
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-e2e-'));
  const config = loadConfig({ FF2_DATA_DIR: dir, FF2_SANDBOX_TIMEOUT_S: '20', ...env }, dir);
  const store = openStore(join(dir, 'ff2.db'));
  const llm = new ScriptedLlm(responder);
  // TEST_UID_BASE (not a config variable): run as the test file's own UIDs.
  const sandbox = env.TEST_UID_BASE
    ? sandboxOnUids(config, Number(env.TEST_UID_BASE))
    : createSandbox(config);
  const chat = new MemoryAdapter();
  const app = createApp({
    config,
    store,
    llm: makeLlm
      ? await makeLlm(config, store)
      : createRecordingProvider({ provider: llm, store, budget: config.llm.budget }),
    sandbox,
    python: createToolchain(config),
    adapters: [chat],
    logger: silentLogger,
    progressIntervalMs: 0,
    outboxPollMs: 20,
  });
  await app.start();
  return {
    app,
    store,
    llm,
    chat,
    dir,
    session(threadId = 't1') {
      const row = store.getSessionByThread(`memory:C1:${threadId}`);
      if (!row) throw new Error(`no session in thread ${threadId}`);
      return row;
    },
    async close() {
      await app.stop();
      await sandbox.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
