/**
 * An eval run: every goal × attempt as a headless session (drive.ts), then the hidden checks on
 * the shipped (or last) version, results saved per attempt as they finish (so a run can resume),
 * `parallel` attempts at a time, and no new attempt once the run's cost reaches the budget.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { LlmProvider } from '../llm/types.js';
import { createRecordingProvider } from '../llm/usage.js';
import type { Logger } from '../logger.js';
import { diffScripts } from '../pipeline/script.js';
import type { PythonToolchain } from '../python/types.js';
import type { Sandbox } from '../sandbox/types.js';
import type { EvalRunStore } from '../store/eval-runs.js';
import type { SessionStore } from '../store/types.js';
import { attribute } from './attribute.js';
import { type CheckVerdict, runChecks } from './checks.js';
import { driveGoal } from './drive.js';
import type { Goal } from './goal.js';
import { missingModules, skipReason } from './requires.js';
import type { AttemptResult, EvalRun, EvalRunOptions } from './types.js';

export interface EvalDeps {
  config: Readonly<Config>;
  store: SessionStore;
  runs: EvalRunStore;
  sandbox: Sandbox;
  python: PythonToolchain;
  logger: Logger;
  /** The model answering one goal (the oracle builds one per goal; a server model is shared). */
  modelFor(goal: Goal): Promise<LlmProvider>;
  /** Called after each finished attempt and when attempts start. */
  progress?: (p: EvalProgress) => void;
  signal?: AbortSignal;
}

export interface EvalProgress {
  done: number;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  costUsd: number;
  /** Goal ids running now. */
  running: string[];
}

export interface EvalRequest {
  goals: readonly Goal[];
  model: string;
  options: EvalRunOptions;
  /** Continue this run (its finished attempts are kept; the rest run). */
  resume?: EvalRun;
  /** New run id. */
  runId: string;
  /** Wall-clock limit per attempt, ms. Default 15 minutes. */
  attemptTimeoutMs?: number;
}

export async function runEval(
  deps: EvalDeps,
  request: EvalRequest,
): Promise<{ run: EvalRun; results: AttemptResult[] }> {
  const run =
    request.resume ??
    deps.runs.createRun({ id: request.runId, model: request.model, options: request.options });
  if (request.resume) deps.runs.setRunStatus(run.id, 'running');
  const { attempts, parallel, budgetUsd, out } = request.options;
  mkdirSync(join(out, 'attempts'), { recursive: true });
  const results = deps.runs.listResults(run.id);
  const finished = new Set(results.map((r) => `${r.goalId}#${r.attempt}`));
  const queue = request.goals.flatMap((goal) =>
    Array.from({ length: attempts }, (_, i) => ({ goal, attempt: i + 1 })).filter(
      (a) => !finished.has(`${a.goal.id}#${a.attempt}`),
    ),
  );
  const total = results.length + queue.length;
  const running = new Set<string>();
  const probes = new Map<string, Promise<{ module: string; why: string }[]>>();
  let overBudget = false;
  const cost = () => results.reduce((sum, r) => sum + r.costUsd, 0);
  const report = () =>
    deps.progress?.({
      done: results.length,
      total,
      passed: results.filter((r) => r.outcome === 'passed').length,
      failed: results.filter((r) => r.outcome === 'failed' || r.outcome === 'error').length,
      skipped: results.filter((r) => r.outcome === 'skipped').length,
      costUsd: cost(),
      running: [...running],
    });
  report();

  const worker = async () => {
    for (;;) {
      if (deps.signal?.aborted) return;
      if (budgetUsd !== null && cost() >= budgetUsd) {
        overBudget = true;
        return;
      }
      const next = queue.shift();
      if (!next) return;
      const label = `${next.goal.id}#${next.attempt}`;
      running.add(label);
      report();
      const key = next.goal.requires.join(',');
      if (!probes.has(key)) probes.set(key, missingModules(deps.sandbox, next.goal));
      const result = await runAttempt(deps, run, next.goal, next.attempt, await probes.get(key)!, request);
      running.delete(label);
      if (result) {
        results.push(result);
        deps.runs.saveResult(run.id, result);
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  const status = deps.signal?.aborted ? 'interrupted' : overBudget && queue.length > 0 ? 'budget' : 'done';
  deps.runs.setRunStatus(run.id, status);
  return { run: deps.runs.getRun(run.id)!, results: deps.runs.listResults(run.id) };
}

/** One attempt; undefined when interrupted (nothing saved, so a resume runs it again). */
async function runAttempt(
  deps: EvalDeps,
  run: EvalRun,
  goal: Goal,
  attempt: number,
  missing: readonly { module: string; why: string }[],
  request: EvalRequest,
): Promise<AttemptResult | undefined> {
  const base = {
    goalId: goal.id,
    category: goal.category,
    attempt,
    calls: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    repairs: 0,
    versions: 0,
  };
  const detail = {
    shipped: false,
    checks: [] as CheckVerdict[],
    asked: 0,
    answered: 0,
    expectQuestions: goal.expectQuestions,
  };
  if (missing.length > 0)
    return {
      ...base,
      sessionId: null,
      outcome: 'skipped',
      passed: false,
      stoppedAt: 'skipped',
      reason: skipReason(missing),
      wallMs: 0,
      detail,
    };
  const started = Date.now();
  const name = `${goal.id}-${attempt}`;
  let sessionId: string | null = null;
  try {
    const model = await deps.modelFor(goal);
    const llm = createRecordingProvider({
      provider: model,
      store: deps.store,
      budget: deps.config.llm.budget,
      prices: deps.config.llm.prices,
      logger: deps.logger,
    });
    const end = await driveGoal(
      { ...deps, llm, sessionsDir: join(request.options.out, 'sessions') },
      {
        goal,
        thread: {
          platform: 'terminal',
          channelId: `eval-${run.id}`,
          threadId: `${goal.id}.${attempt}.${Date.now().toString(36)}`,
        },
        timeoutMs: request.attemptTimeoutMs ?? 15 * 60_000,
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
    );
    if (end.kind === 'interrupted' || deps.signal?.aborted) return undefined;
    sessionId = end.session?.id ?? null;
    const versions = sessionId ? deps.store.listScriptVersions(sessionId) : [];
    const last = versions.at(-1);
    const checks = last ? await runChecks(deps.sandbox, goal, last.code, deps.signal) : [];
    if (deps.signal?.aborted) return undefined; // checks cut short: run it again on resume
    const usage = sessionId ? deps.store.usageTotals(sessionId) : undefined;
    const lastStage = sessionId
      ? (deps.store
          .listEvents(sessionId)
          .filter((e) => e.type === 'stage_done')
          .map((e) => (e.data as { from?: string } | null)?.from)
          .at(-1) ?? undefined)
      : undefined;
    const files = writeAttemptFiles(request.options.out, name, end.transcript, versions[0]?.code, last?.code);
    return {
      ...base,
      sessionId,
      ...attribute(end, checks, lastStage),
      calls: usage?.calls ?? 0,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      costUsd: usage?.costUsd ?? 0,
      wallMs: Date.now() - started,
      repairs: versions.filter((v) => v.reason.startsWith('repair')).length,
      versions: versions.length,
      detail: {
        ...detail,
        shipped: end.kind === 'shipped',
        checks,
        asked: end.asked,
        answered: end.answered,
        ...files,
      },
    };
  } catch (error) {
    if (deps.signal?.aborted) return undefined;
    deps.logger.error('eval attempt failed', { goal: goal.id, attempt, error: String(error) });
    return {
      ...base,
      sessionId,
      outcome: 'error',
      passed: false,
      stoppedAt: 'eval_error',
      reason: error instanceof Error ? error.message : String(error),
      wallMs: Date.now() - started,
      detail,
    };
  }
}

/** Transcript, first and last script and the diff between them, under `<out>/attempts/`. */
function writeAttemptFiles(
  out: string,
  name: string,
  transcript: string,
  first: string | undefined,
  last: string | undefined,
): { transcript: string; diff?: string; firstScript?: string; lastScript?: string } {
  const dir = join(out, 'attempts');
  const files: { transcript: string; diff?: string; firstScript?: string; lastScript?: string } = {
    transcript: `attempts/${name}.txt`,
  };
  writeFileSync(join(dir, `${name}.txt`), transcript);
  if (first !== undefined && last !== undefined) {
    files.firstScript = `attempts/${name}.first.py`;
    files.lastScript = `attempts/${name}.last.py`;
    files.diff = `attempts/${name}.diff`;
    writeFileSync(join(out, files.firstScript), first);
    writeFileSync(join(out, files.lastScript), last);
    writeFileSync(
      join(out, files.diff),
      first === last ? '' : diffScripts(first, last, 'first/script.py', 'last/script.py'),
    );
  }
  return files;
}
