/** Shared pieces of the eval end-to-end tests: an in-process `ff2 eval` with its own sandbox UIDs. */
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type EvalOverrides, evalMain } from '../../../src/commands/eval.js';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { defaultLimits } from '../../../src/sandbox/limits.js';

export const ROOT = join(import.meta.dirname, '../../..');

export function evalSandbox(uidBase: number): ProcessSandbox {
  return new ProcessSandbox({
    python: '/usr/bin/python3',
    slots: 2,
    limits: defaultLimits({ timeoutS: 30, memoryMb: 1024 }),
    uidBase,
  });
}

/** Runs `ff2 eval <args>` in-process with FF2_DATA_DIR=dataDir, from the repository root. */
export async function runEvalCli(
  args: string[],
  dataDir: string,
  overrides: EvalOverrides,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  stdin.end();
  const code = await evalMain(
    args,
    {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      env: { FF2_DATA_DIR: dataDir, FF2_SANDBOX_TIMEOUT_S: '30', ...env },
      cwd: ROOT,
      stdin,
      stdoutIsTTY: false,
    },
    overrides,
  );
  return { code, out, err };
}

/** A temporary goal suite holding copies of these goals. */
export function subsetSuite(ids: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-suite-'));
  mkdirSync(join(dir, 'goals'));
  for (const id of ids) cpSync(join(ROOT, 'eval/goals', id), join(dir, 'goals', id), { recursive: true });
  return join(dir, 'goals');
}
