import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Runs `ff2 chat …` (or any ff2 command) as a child process, as a person or a script would. */

const ROOT = resolve(import.meta.dirname, '../../..');

export interface ChildRun {
  child: ChildProcess;
  /** Resolves once the process exits. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
}

export function tempHome(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, db: join(dir, 'ff2.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function ff2(args: string[], options: { env: NodeJS.ProcessEnv; stdin?: string | null }): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      USER: 'tester',
      FF2_LOG_LEVEL: 'silent',
      FF2_SANDBOX_SLOTS: '1',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  // `null` keeps stdin open (a person who has not typed yet); a string is piped then closed.
  if (options.stdin !== null) child.stdin!.end(options.stdin ?? '');
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolveDone) => {
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
