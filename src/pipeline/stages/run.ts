import type { RunResult } from '../../sandbox/types.js';
import { readStateFile, type Stage } from '../context.js';
import { afterRepairsDraft, checkOrScriptDraft, feedbackButtons, head, tail } from '../messages.js';
import { outputAttachments } from '../outputs.js';
import { codeHash } from '../script.js';
import type { Draft, DraftFile, RunSummary, SessionState, SmokeCheck, StageOutcome } from '../types.js';
import { outlineOf } from './shared.js';

interface CheckRun {
  label: string;
  result: RunResult;
  /** Why this run does not meet its expectation; null when it does. */
  failure: string | null;
  /** The smoke check judged, when it is one. */
  check?: SmokeCheck;
}

/** Traceback types that mean the script itself does not compile. */
const COMPILE_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);

/** The sandbox run: the person's input (if any) and the outline's smoke checks, each judged. */
export const runStage: Stage = {
  async run(ctx) {
    const outline = outlineOf(ctx);
    const gui = outline.runMode === 'gui';
    const runs: CheckRun[] = [];
    const input = ctx.state.runInput;
    const userFiles: Record<string, Uint8Array> = {};
    for (const [name, value] of Object.entries(input.files)) {
      const bytes = readStateFile(value, ctx.files);
      if (bytes) userFiles[name] = bytes;
    }
    // A script that does not compile never passes, whatever the checks expect. (QA's analysis of
    // this very script already said whether it compiles: no second analyser process then.)
    const checked = ctx.state.compiles !== null && ctx.state.compiles === codeHash(ctx.state.code);
    const syntax = checked ? null : (await ctx.python.analyze(ctx.state.code)).syntaxError;
    if (syntax)
      return notCompiled(
        ctx.state,
        `syntax error at line ${syntax.line}: ${syntax.message}`,
        ctx.state.repairs >= ctx.maxRepairs + ctx.state.extraRepairs,
      );
    // The person's own run: with their stdin or arguments; with files alone only when the script
    // takes no arguments (else the files are there for the checks, which name them).
    const filesAlone = Object.keys(userFiles).length > 0 && !outline.inputs.argv;
    if (input.stdin !== null || input.args.length > 0 || filesAlone) {
      ctx.progress('running with your input');
      const result = await ctx.sandbox.run({
        script: ctx.state.code,
        args: input.args,
        stdin: input.stdin ?? '',
        inputFiles: userFiles,
        gui,
        signal: ctx.signal,
      });
      runs.push({
        label: 'your input',
        result,
        failure: result.status === 'ok' && !compileError(result) ? null : statusProblem(result),
      });
    }
    for (const [i, check] of outline.smokeChecks.entries()) {
      ctx.progress(`smoke check ${i + 1}/${outline.smokeChecks.length}: ${check.description}`);
      // Attached files are there for every check (a check may name one); its own files win.
      const checkFiles = Object.fromEntries(
        check.files.map((f) => [f.name, new TextEncoder().encode(f.content)]),
      );
      const result = await ctx.sandbox.run({
        script: ctx.state.code,
        args: check.args,
        stdin: check.stdin,
        inputFiles: { ...userFiles, ...checkFiles },
        gui,
        signal: ctx.signal,
      });
      runs.push({ label: check.description, result, failure: judge(check, result), check });
    }
    const failed = runs.find((r) => r.failure !== null);
    const shown = failed ?? runs[0]!;
    const summary: RunSummary = {
      ok: !failed,
      status: shown.result.status,
      exitCode: shown.result.exitCode,
      problem: failed ? `${failed.label}: ${failed.failure}` : 'all checks passed',
      detail: tail(`${shown.result.stderr}\n${shown.result.stdout}`.trim(), 40).slice(-4000),
      traceback: shown.result.traceback,
    };
    const runNumber = ctx.state.runs + 1;
    const base: SessionState = { ...ctx.state, runs: runNumber, lastRun: summary };
    const record = {
      status: summary.ok ? 'ok' : shown.result.status === 'ok' ? 'check_failed' : shown.result.status,
      exitCode: shown.result.exitCode,
      durationMs: runs.reduce((sum, r) => sum + r.result.durationMs, 0),
      result: {
        checks: runs.map((r) => ({
          label: r.label,
          status: r.result.status,
          exitCode: r.result.exitCode,
          durationMs: r.result.durationMs,
          failure: r.failure,
          stdout: r.result.stdout.slice(0, 20_000),
          stderr: r.result.stderr.slice(0, 20_000),
        })),
      },
    };
    const report = resultDraft(runNumber, runs, shown);
    if (summary.ok) {
      report.text += '\n\nShip it, run again, or reply with what to change.';
      report.buttons = feedbackButtons();
      if (ctx.state.remaining.length > 0) {
        report.text += `\nStill to do: ${ctx.state.remaining.join('; ')}.`;
        report.buttons.push([{ action: 'next_change', label: 'Next change', style: 'primary' }]);
      }
      return {
        result: 'passed',
        state: { ...base, repairs: 0, extraRepairs: 0 },
        run: record,
        messages: [report],
      };
    }
    const mismatch = outputOnly(runs);
    if (mismatch) {
      return {
        result: 'check_mismatch',
        state: base,
        run: record,
        messages: [report, checkOrScriptDraft(mismatch.expected, mismatch.printed)],
      };
    }
    if (ctx.state.repairs >= ctx.maxRepairs + ctx.state.extraRepairs) {
      return {
        result: 'exhausted',
        state: base,
        run: record,
        messages: [report, afterRepairsDraft(base, summary)],
      };
    }
    report.text += `\n\nRepairing (round ${ctx.state.repairs + 1} of ${ctx.maxRepairs + ctx.state.extraRepairs})…`;
    return { result: 'failed', state: base, run: record, messages: [report] };
  },
};

function compileError(result: RunResult): boolean {
  return result.traceback !== null && COMPILE_ERRORS.has(result.traceback.type);
}

/** The run of a script that does not compile: no sandbox run, a failure the repair can target. */
function notCompiled(state: SessionState, problem: string, exhausted: boolean): StageOutcome {
  const summary: RunSummary = {
    ok: false,
    status: 'error',
    exitCode: null,
    problem: `the script does not compile: ${problem}`,
    detail: problem,
    traceback: null,
  };
  const runNumber = state.runs + 1;
  const next = { ...state, runs: runNumber, lastRun: summary };
  const text = `Run ${runNumber}: not run — ${summary.problem}.`;
  return {
    result: exhausted ? 'exhausted' : 'failed',
    state: next,
    run: { status: 'syntax_error', exitCode: null, durationMs: 0, result: { checks: [], problem } },
    messages: exhausted
      ? [{ title: `Run ${runNumber}`, text }, afterRepairsDraft(next, summary)]
      : [{ title: `Run ${runNumber}`, text: `${text} Repairing…` }],
  };
}

/**
 * When every failure is a smoke check that exited as expected without a traceback but missed
 * some expected output, the check may be what is wrong: what it expected and what was printed.
 */
function outputOnly(runs: readonly CheckRun[]): { expected: string; printed: string } | null {
  const failed = runs.filter((r) => r.failure !== null);
  if (failed.length === 0) return null;
  for (const r of failed) {
    if (!r.check || r.result.status !== 'ok' || r.result.traceback) return null;
    if (r.result.exitCode !== r.check.expectExit) return null;
  }
  const first = failed[0]!;
  const output = `${first.result.stdout}\n${first.result.stderr}`;
  const missing = first.check!.expectOutput.filter((f) => !output.includes(f));
  const printed = first.result.stdout.trim() ? head(first.result.stdout.trim(), 3).slice(0, 300) : '';
  return {
    expected: missing.map((m) => `"${m.slice(0, 100)}"`).join(', '),
    printed: printed ? `"${printed}"` : 'nothing',
  };
}

function statusProblem(result: RunResult): string {
  if (result.traceback) return `${result.traceback.type}: ${result.traceback.message}`;
  switch (result.status) {
    case 'timeout':
      return 'it ran past its time limit';
    case 'memory':
      return 'it ran out of memory';
    case 'output_limit':
      return 'it printed more output than allowed';
    case 'killed':
      return `it was killed (${result.signal ?? 'signal'})`;
    default:
      return `it exited with code ${result.exitCode ?? '?'}`;
  }
}

/** Null when the run meets the smoke check, else why not. */
export function judge(check: SmokeCheck, result: RunResult): string | null {
  if (result.status !== 'ok' && result.status !== 'error') return statusProblem(result);
  if (compileError(result)) return `the script does not compile (${statusProblem(result)})`;
  if (result.exitCode !== check.expectExit) {
    const why = result.traceback ? ` (${result.traceback.type}: ${result.traceback.message})` : '';
    return `expected exit code ${check.expectExit}, got ${result.exitCode ?? 'none'}${why}`;
  }
  const output = `${result.stdout}\n${result.stderr}`;
  const missing = check.expectOutput.filter((fragment) => !output.includes(fragment));
  if (missing.length > 0) return `expected the output to contain ${missing.map((m) => `"${m}"`).join(', ')}`;
  return null;
}

function resultDraft(runNumber: number, runs: readonly CheckRun[], shown: CheckRun): Draft {
  const r = shown.result;
  const lines = [
    `Run ${runNumber}: ${runs.every((x) => x.failure === null) ? 'passed' : 'failed'}`,
    ...runs.map((x) => `${x.failure === null ? '✓' : '✗'} ${x.label}${x.failure ? ` — ${x.failure}` : ''}`),
    `Exit code ${r.exitCode ?? 'none'} · ${r.durationMs} ms · status ${r.status}`,
  ];
  if (r.stdout.trim()) lines.push(`stdout:\n${head(r.stdout, 10)}`);
  if (r.stderr.trim()) lines.push(`stderr:\n${head(r.stderr, 10)}`);
  const files: DraftFile[] = [];
  if (r.stdout.split('\n').length > 10) files.push({ name: 'stdout.txt', text: r.stdout });
  if (r.stderr.split('\n').length > 10) files.push({ name: 'stderr.txt', text: r.stderr });
  const outputs = outputAttachments(r.outputFiles);
  lines.push(...outputs.lines);
  if (r.screenshot) files.push({ name: 'screenshot.png', bytes: r.screenshot, mime: 'image/png' });
  files.unshift(...outputs.files.filter((f) => f.mime?.startsWith('image/')));
  files.push(...outputs.files.filter((f) => !f.mime?.startsWith('image/')));
  return { title: `Run ${runNumber}`, text: lines.join('\n'), ...(files.length > 0 ? { files } : {}) };
}
