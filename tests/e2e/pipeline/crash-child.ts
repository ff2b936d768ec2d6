/**
 * A child ff2 process for the crash test: a real SQLite file, the real sandbox and analyser, the
 * scripted model behind the recording provider (slowed down so a SIGKILL lands mid-stage), and an
 * in-memory adapter that logs every send to a file. It drives its one session to shipped,
 * pressing each human gate itself, and exits 0.
 *   env: FF2_CRASH_DIR (holds ff2.db, calls.jsonl, posts.jsonl)
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../../src/app.js';
import type { MessageRef, Outgoing, ThreadRef } from '../../../src/bots/types.js';
import { loadConfig } from '../../../src/config.js';
import { createRecordingProvider } from '../../../src/llm/usage.js';
import { silentLogger } from '../../../src/logger.js';
import { createToolchain } from '../../../src/python/create.js';
import { createSandbox } from '../../../src/sandbox/create.js';
import { openStore } from '../../../src/store/sqlite.js';
import { MemoryAdapter } from '../../fakes/memory-adapter.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript, ScriptedLlm } from '../../fakes/scripted-llm.js';

const dir = process.env.FF2_CRASH_DIR;
if (!dir) throw new Error('FF2_CRASH_DIR is required');

class LoggingAdapter extends MemoryAdapter {
  override async send(thread: ThreadRef, message: Outgoing): Promise<MessageRef> {
    const ref = await super.send(thread, message);
    appendFileSync(
      join(dir!, 'posts.jsonl'),
      `${JSON.stringify({ text: message.text, edit: Boolean(message.replaces) })}\n`,
    );
    return ref;
  }
}

const config = loadConfig({ FF2_DATA_DIR: dir, FF2_SANDBOX_TIMEOUT_S: '20' }, dir);
const store = openStore(join(dir, 'ff2.db'));
const base = referenceGoalScript();
const llm = new ScriptedLlm(async (call) => {
  appendFileSync(
    join(dir, 'calls.jsonl'),
    `${JSON.stringify({ task: call.task, section: call.section ?? null })}\n`,
  );
  await new Promise((resolve) => setTimeout(resolve, 60));
  return base(call);
});
const sandbox = createSandbox(config);
const chat = new LoggingAdapter();
const app = createApp({
  config,
  store,
  llm: createRecordingProvider({ provider: llm, store, budget: config.llm.budget }),
  sandbox,
  python: createToolchain(config),
  adapters: [chat],
  logger: silentLogger,
  leaseHolder: 'crash-test',
  progressIntervalMs: 0,
  outboxPollMs: 20,
});
await app.start();
const threadKey = 'terminal:C1:t1';
if (!store.getSessionByThread(threadKey)) await chat.startSession(REFERENCE_GOAL, { id: 'start' });

const GATES: Record<string, string> = {
  approve_outline: 'approve',
  approve_run: 'run',
  give_feedback: 'ship',
};
for (let turn = 0; turn < 20; turn++) {
  await app.idle();
  const session = store.getSessionByThread(threadKey);
  if (!session) throw new Error('no session');
  if (session.stage === 'shipped') break;
  const action = GATES[session.stage];
  if (!action) throw new Error(`stuck at ${session.stage}`);
  await chat.emit({
    kind: 'action',
    id: `gate-${session.stage}-${session.version}`,
    thread: chat.thread(),
    user: { id: 'owner' },
    sessionId: session.id,
    action,
  });
}
await app.stop();
await sandbox.close();
store.close();
process.exit(0);
