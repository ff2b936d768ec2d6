import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { type Goal, GoalError, loadGoals } from '../eval/goal.js';
import { describeModel, ORACLE, oracleFor } from '../eval/model.js';
import { createProgressBar } from '../eval/progress.js';
import { writeReport } from '../eval/report/index.js';
import { runEval } from '../eval/run.js';
import { compareCommand, listCommand } from '../eval/run-commands.js';
import { formatMs, formatRate, formatUsd, summarise } from '../eval/summary.js';
import type { EvalRunOptions } from '../eval/types.js';
import { createLlmProvider } from '../llm/create.js';
import type { LlmProvider } from '../llm/types.js';
import { createLogger } from '../logger.js';
import { onInterrupt } from '../main.js';
import { createToolchain } from '../python/create.js';
import { createSandbox } from '../sandbox/create.js';
import type { Sandbox } from '../sandbox/types.js';
import { openEvalRunStore } from '../store/eval-runs.js';
import { createStore } from '../store/open.js';
import { parseCommandArgs } from './args.js';
import type { CliIo, Command } from './types.js';

const USAGE = `Usage: ff2 eval [--goals DIR|GLOB] [--model NAME|oracle] [--attempts N] [--parallel N]
                [--budget-usd X] [--out DIR] [--timeout-s S] [--json]
       ff2 eval --resume <run-id> [--parallel N] [--budget-usd X] [--json]
       ff2 eval compare <run-a> <run-b> [--json]
       ff2 eval list [--json]

Measures how well a model drives ff2: each goal of the suite runs as a headless session through
the real pipeline and sandbox (the --auto policy at every gate, the goal's scripted answers to
questions), then hidden checks the model never saw run on the shipped (or last) script.
Writes report.html, report.md and results.json to the output folder; results are also kept in
the database (eval_runs), so an interrupted run continues with --resume.

  --goals DIR|GLOB  the goal suite, one folder, or a glob over folders (default: eval/goals)
  --model NAME      the model on the configured server (replaces FF2_MODEL); "oracle" answers each
                    goal from its reference solution (calibration: every goal should pass)
  --attempts N      attempts per goal (default 1)
  --parallel N      sessions at a time (default 2; the sandbox runs FF2_SANDBOX_SLOTS at once)
  --budget-usd X    start no new attempt once the run has cost X dollars (with --resume: the new
                    budget for the whole run)
  --out DIR         output folder (default: $FF2_DATA_DIR/eval/<run-id>)
  --timeout-s S     wall-clock limit per attempt (default 900); the session is then cancelled
  --json            print one JSON object (run, summary, results, report paths) instead of text
Exit codes: 0 every attempt ran, 1 stopped early (budget, Ctrl+C) or the eval itself failed on
an attempt, 2 usage, 3 environment (sandbox, model).`;

/** Test seams: the sandbox (its own UID range) and the model per goal. */
export interface EvalOverrides {
  sandbox?: Sandbox & { close?(): Promise<void> };
  modelFor?: (goal: Goal) => Promise<LlmProvider>;
  modelName?: string;
  /** Aborts the run as Ctrl+C would. */
  signal?: AbortSignal;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'measure how well a model drives ff2 on a goal suite with hidden checks',
  usage: USAGE,
  run: (args, io) => evalMain(args, io),
};

interface EvalArgs {
  goals: string | undefined;
  model: string | undefined;
  attempts: number;
  parallel: number | undefined;
  budgetUsd: number | null;
  out: string | undefined;
  json: boolean;
  resume: string | undefined;
  /** Wall-clock limit per attempt. */
  timeoutS: number;
}

function parseEvalArgs(args: string[]): EvalArgs {
  const values: Record<string, string | boolean | undefined> = parseCommandArgs({
    args,
    options: {
      goals: { type: 'string' },
      model: { type: 'string' },
      attempts: { type: 'string' },
      parallel: { type: 'string' },
      'budget-usd': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      resume: { type: 'string' },
      'timeout-s': { type: 'string' },
    },
    strict: true,
  }).values;
  const int = (name: string, fallback: number | undefined) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100)
      throw new UsageError(`--${name} must be a whole number from 1 to 100`);
    return n;
  };
  const timeout = values['timeout-s'];
  const timeoutS = timeout === undefined ? 900 : Number(timeout);
  if (!(Number.isFinite(timeoutS) && timeoutS >= 1))
    throw new UsageError('--timeout-s must be a number of seconds, at least 1');
  const budget = values['budget-usd'];
  const budgetUsd = budget === undefined ? null : Number(budget);
  if (budgetUsd !== null && !(Number.isFinite(budgetUsd) && budgetUsd > 0))
    throw new UsageError('--budget-usd must be a positive number of dollars, e.g. 0.50');
  if (
    values.resume !== undefined &&
    (values.goals !== undefined || values.attempts !== undefined || values.out !== undefined)
  )
    throw new UsageError('--resume continues a run with its own goals, attempts and output folder');
  return {
    goals: values.goals as string | undefined,
    model: values.model as string | undefined,
    attempts: int('attempts', 1)!,
    parallel: int('parallel', undefined),
    budgetUsd,
    out: values.out as string | undefined,
    json: values.json === true,
    resume: values.resume as string | undefined,
    timeoutS,
  };
}

/** `ff2 eval …` with optional test seams. */
export async function evalMain(args: string[], io: CliIo, overrides: EvalOverrides = {}): Promise<number> {
  if (args[0] === 'compare') return compareCommand(args.slice(1), io);
  if (args[0] === 'list') return listCommand(args.slice(1), io);
  const opts = parseEvalArgs(args);
  const model = opts.model ?? undefined;
  const env = model && model !== ORACLE ? { ...io.env, FF2_MODEL: model } : io.env;
  const config = loadConfig(env, io.cwd, { platforms: false });
  if (model && model !== ORACLE && config.llm.provider !== 'openai')
    throw new UsageError(
      `--model names a model on an OpenAI-compatible server; set OPENAI_BASE_URL (or OPENAI_API_KEY for OpenAI). For a local GGUF use FF2_GGUF and leave out --model`,
    );
  const store = createStore(config);
  const runs = openEvalRunStore(config.dbPath);
  try {
    const resumed = opts.resume === undefined ? undefined : runs.getRun(opts.resume);
    if (opts.resume !== undefined && !resumed) {
      io.err(
        `ff2 eval: no eval run "${opts.resume}". Runs are listed in results.json of each --out folder.\n`,
      );
      return 2;
    }
    const runId =
      resumed?.id ??
      `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
    const modelArg = resumed ? resumed.options.model : (model ?? null);
    const options: EvalRunOptions = resumed
      ? {
          ...resumed.options,
          parallel: opts.parallel ?? resumed.options.parallel,
          budgetUsd: opts.budgetUsd ?? resumed.options.budgetUsd,
        }
      : {
          goals: opts.goals ?? defaultGoals(io.cwd),
          attempts: opts.attempts,
          parallel: opts.parallel ?? 2,
          budgetUsd: opts.budgetUsd,
          out: resolve(io.cwd, opts.out ?? join(config.dataDir, 'eval', runId)),
          model: modelArg,
        };
    let goals: Goal[];
    try {
      goals = loadGoals(options.goals, io.cwd);
    } catch (error) {
      if (!(error instanceof GoalError)) throw error;
      io.err(`ff2 eval: ${error.message}\n`);
      return 2;
    }

    // Failed attempts are expected and recorded; their warnings would only break the progress bar.
    const logger = createLogger(io.env.FF2_LOG_LEVEL ? config.logLevel : 'error');
    const sandbox = overrides.sandbox ?? createSandbox(config, logger);
    const python = createToolchain(config);
    let shared: LlmProvider | undefined;
    try {
      const check = await sandbox.check();
      if (!check.ok) {
        io.err(
          `ff2 eval: the sandbox cannot run scripts here: ${check.detail}\n${check.fix ? `Fix: ${check.fix}\n` : ''}`,
        );
        return 3;
      }
      let modelFor = overrides.modelFor;
      let modelName = overrides.modelName ?? ORACLE;
      if (!modelFor && modelArg === ORACLE) modelFor = oracleFor(python);
      if (!modelFor) {
        const { checkModel } = await import('../bots/terminal/preflight.js');
        const problem = await checkModel(config, (t) => io.err(t));
        if (problem) {
          io.err(`ff2 eval: no model to talk to: ${problem.detail}\nFix: ${problem.fix}\n`);
          return 3;
        }
        const provider = await createLlmProvider(config, logger, { progress: (t) => io.err(t) });
        shared = provider;
        modelFor = async () => provider;
        modelName = describeModel(config);
      }
      if (!opts.json)
        io.err(
          `ff2 eval ${runId}: ${goals.length} goal(s) × ${options.attempts} with ${resumed?.model ?? modelName}\n`,
        );
      const bar = createProgressBar(io.err, io.stdoutIsTTY && !opts.json);
      const interrupt = new AbortController();
      const stopListening = onInterrupt(() => interrupt.abort());
      overrides.signal?.addEventListener('abort', () => interrupt.abort(), { once: true });
      let outcome: Awaited<ReturnType<typeof runEval>>;
      try {
        outcome = await runEval(
          {
            config,
            store,
            runs,
            sandbox,
            python,
            logger,
            modelFor,
            progress: bar.update,
            signal: interrupt.signal,
          },
          {
            goals,
            model: resumed?.model ?? modelName,
            options,
            runId,
            attemptTimeoutMs: opts.timeoutS * 1000,
            ...(resumed ? { resume: resumed } : {}),
          },
        );
      } finally {
        bar.done();
        stopListening();
      }
      const { run, results } = outcome;
      const files = await writeReport(options.out, run, results);
      const summary = summarise(results);
      if (opts.json) io.out(`${JSON.stringify({ run, summary, results, report: files })}\n`);
      else {
        const s = summary.solved;
        io.out(
          [
            `ff2 eval ${run.id} (${run.model}): ${run.status}`,
            `Pass rate: ${formatRate(summary.overall)}${summary.skipped ? ` · ${summary.skipped} skipped` : ''}${summary.errors ? ` · ${summary.errors} eval error(s)` : ''}`,
            s
              ? `Median per solved goal: ${s.calls} calls, ${Math.round(s.tokens)} tokens, ${formatUsd(s.costUsd)}, ${formatMs(s.wallMs)}`
              : 'No goal was solved.',
            ...(summary.stages.length
              ? [`Failures stopped at: ${summary.stages.map((x) => `${x.stage} ${x.count}`).join(', ')}`]
              : []),
            `Report: ${files.html} (and report.md)`,
            run.status === 'done'
              ? `Compare runs: ff2 eval compare ${run.id} <other-run>`
              : run.status === 'budget'
                ? `The budget is spent. Continue with a larger one: ff2 eval --resume ${run.id} --budget-usd <dollars>`
                : `Continue: ff2 eval --resume ${run.id}`,
            '',
          ].join('\n'),
        );
      }
      return run.status === 'done' && summary.errors === 0 ? 0 : 1;
    } finally {
      await shared?.close?.();
      if (!overrides.sandbox) await sandbox.close?.();
    }
  } finally {
    runs.close();
    store.close();
  }
}

/** eval/goals in the working directory, else the suite shipped with ff2. */
function defaultGoals(cwd: string): string {
  const local = join(cwd, 'eval', 'goals');
  if (existsSync(local)) return local;
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'eval', 'goals');
}
