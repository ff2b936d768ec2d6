import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { CompletionRequest, LlmProvider } from '../src/llm/types.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/main.js';
import type { RunRequest, Sandbox } from '../src/sandbox/types.js';
import { MemoryAdapter } from '../tests/fakes/memory-adapter.js';
import { REFERENCE_GOAL } from '../tests/fakes/reference-goal.js';
import { referenceGoalScript, ScriptedLlm } from '../tests/fakes/scripted-llm.js';

/**
 * The reference goal from goal to ship with a scripted model that gives good answers, through the
 * real store (a temp file), analyser and sandbox. Model and sandbox time are measured around their
 * calls and subtracted: `stage_overhead_ms` is what the pipeline itself costs over the whole
 * journey (static analysis by the Python analyser — also shown alone as `analyser_ms` — commits,
 * outbox delivery).
 */
export async function benchPipeline(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-pipeline-'));
  const config = loadConfig({ FF2_DATA_DIR: dir }, dir);
  let modelMs = 0;
  let sandboxMs = 0;
  let analyserMs = 0;
  const scripted = new ScriptedLlm(referenceGoalScript());
  const timedLlm: LlmProvider = {
    name: scripted.name,
    model: scripted.model,
    async complete<T>(request: CompletionRequest<T>) {
      const t = performance.now();
      try {
        return await scripted.complete(request);
      } finally {
        modelMs += performance.now() - t;
      }
    },
  };
  const built = await buildRuntime(config, { logger: silentLogger, model: timedLlm });
  if (!built.ok) throw new Error(`no runtime: ${built.part}`);
  const { runtime } = built;
  const { store, sandbox: realSandbox, python: toolchain } = runtime;
  const python = {
    async analyze(source: string) {
      const t = performance.now();
      try {
        return await toolchain.analyze(source);
      } finally {
        analyserMs += performance.now() - t;
      }
    },
  };
  const sandbox: Sandbox = {
    async run(request: RunRequest) {
      const t = performance.now();
      try {
        return await realSandbox.run(request);
      } finally {
        sandboxMs += performance.now() - t;
      }
    },
    check: () => realSandbox.check(),
  };
  const chat = new MemoryAdapter();
  const app = createApp({
    config,
    store,
    llm: runtime.llm,
    sandbox,
    python,
    adapters: [chat],
    logger: silentLogger,
    leaseHolder: 'bench',
    outboxPollMs: 5,
  });
  try {
    await app.start();
    const started = performance.now();
    await chat.startSession(REFERENCE_GOAL);
    await app.idle();
    await chat.click('Approve');
    await app.idle();
    const session = store.getSessionByThread('terminal:C1:t1');
    if (session?.stage !== 'approve_run') throw new Error(`expected the run gate, got ${session?.stage}`);
    const firstRun = store.usageTotals(session.id);
    await chat.click('Run');
    await app.idle();
    await chat.click('Ship it');
    await app.idle();
    const elapsed = performance.now() - started;
    const shipped = store.getSession(session.id);
    if (shipped?.stage !== 'shipped') throw new Error(`expected shipped, got ${shipped?.stage}`);
    return {
      llm_calls_to_first_run: firstRun.calls,
      prompt_tokens_to_first_run: firstRun.promptTokens,
      completion_tokens_to_first_run: firstRun.completionTokens,
      llm_calls_to_ship: store.usageTotals(session.id).calls,
      stage_overhead_ms: Math.round(elapsed - modelMs - sandboxMs),
      sandbox_ms: Math.round(sandboxMs),
      analyser_ms: Math.round(analyserMs),
      wall_ms: Math.round(elapsed),
    };
  } finally {
    await app.stop();
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
