import { collectOutputs } from './collect.js';
import { screenshotFrom } from './gui.js';
import { signalName } from './results.js';
import type { HelperOutcome } from './runner.js';
import { classify, signalOf } from './status.js';
import { parseTraceback } from './traceback.js';
import type { Limits, RunResult } from './types.js';
import { capUtf8 } from './utf8.js';

/**
 * What one finished run gave, as a RunResult: output capped to the limit (whole UTF-8
 * characters), the traceback, the screenshot of a GUI run, the status, and the files the script
 * wrote (inputs left out). `durationMs` is 0 here; the caller times the run.
 */
export function resultOf(
  outcome: HelperOutcome,
  run: {
    limits: Limits;
    gui: boolean;
    /** The slot's cgroup saw an OOM kill during this run. */
    oomKilled: boolean;
    workDir: string;
    inputs: Map<string, Uint8Array>;
  },
): RunResult {
  const { limits } = run;
  const stdout = capUtf8(outcome.stdout, limits.maxOutputBytes);
  const stderr = capUtf8(outcome.stderr, limits.maxOutputBytes);
  const traceback = parseTraceback(stderr.text);
  const screenshot = run.gui ? screenshotFrom(outcome.fd3 ?? undefined) : null;
  const signal = signalOf(outcome.exitCode, outcome.signal === null ? null : signalName(outcome.signal));
  const status = classify({
    oomKilled: run.oomKilled,
    timedOut: outcome.timedOut,
    canceled: outcome.canceled,
    maxBuffer: outcome.maxBuffer,
    exitCode: outcome.exitCode,
    signal,
    traceback,
    screenshot: screenshot !== null,
  });
  const outputFiles = collectOutputs(
    run.workDir,
    { maxFiles: limits.maxOutputFiles, maxBytes: limits.maxOutputFilesBytes },
    run.inputs,
  );
  return {
    status,
    exitCode: outcome.exitCode,
    signal,
    durationMs: 0,
    stdout: stdout.text,
    stderr: stderr.text,
    truncated: stdout.truncated || stderr.truncated || outcome.maxBuffer,
    traceback,
    outputFiles,
    screenshot,
  };
}
