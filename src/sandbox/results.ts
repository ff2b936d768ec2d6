import { SandboxError } from '../errors.js';
import type { HelperOutcome } from './runner.js';
import { signalOf } from './status.js';
import type { RunRequest, RunResult } from './types.js';

/** Where each part of a run's time went (ms), for the bench. */
export interface RunSteps {
  /** Host-side preparation: slot, cgroup, arguments. */
  prep: number;
  /** Helper: fresh tmpfs + inputs (µs-precise, reported by the helper). */
  slotPrep: number;
  /** Helper: from fork to bwrap's exit (the sandbox itself, with python). */
  sandbox: number;
  /** Helper: ending and reaping what is left of the run. */
  teardown: number;
  /** Spawn of the helper to its exit, minus the three above (process start-up and reporting). */
  launch: number;
  /** Reading output files and classifying the result. */
  collect: number;
}

/** main.py and the input files, by plain name; refuses anything else before a slot is taken. */
export function inputFiles(request: RunRequest): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([['main.py', new TextEncoder().encode(request.script)]]);
  for (const [name, data] of Object.entries(request.inputFiles ?? {})) {
    if (
      !/^[^/\\\0]+$/.test(name) ||
      name === '.' ||
      name === '..' ||
      name === 'main.py' ||
      name.length > 255
    ) {
      throw new SandboxError(`input file name "${name}" is not a plain file name (and not main.py)`);
    }
    files.set(name, data);
  }
  return files;
}

export function signalName(number: number): string | null {
  return signalOf(128 + number, null);
}

export function steps(
  begun: number,
  launched: number,
  ended: number,
  done: number,
  outcome: HelperOutcome,
): RunSteps {
  const t = outcome.times ?? { prep: 0, sandbox: 0, teardown: 0 };
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    prep: round(launched - begun),
    slotPrep: round(t.prep),
    sandbox: round(t.sandbox),
    teardown: round(t.teardown),
    launch: round(ended - launched - t.prep - t.sandbox - t.teardown),
    collect: round(done - ended),
  };
}

export function emptyResult(status: RunResult['status']): RunResult {
  return {
    status,
    exitCode: null,
    signal: null,
    durationMs: 0,
    stdout: '',
    stderr: '',
    truncated: false,
    traceback: null,
    outputFiles: [],
    screenshot: null,
  };
}
