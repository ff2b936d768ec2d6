import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `ff2 serve` as a real child process (tsx over the sources), for crash and restart tests: start
 * it, wait until it says it is listening, kill it with SIGKILL.
 */
const CLI = join(import.meta.dirname, '../../src/cli.ts');

export interface ServeProcess {
  child: ChildProcess;
  stderr: () => string;
  /** Slack HTTP port, when Slack is on. */
  port: number | undefined;
  /** Spawn → "listening" line, in ms. */
  listenMs: number;
}

/** Spawns `ff2 serve --host 127.0.0.1` and resolves once its stderr matches `ready`. */
export function startServe(
  env: Record<string, string>,
  ready = /ff2 serve: listening/,
  timeoutMs = 60_000,
): Promise<ServeProcess> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.FF2_SERVE_DIST
        ? [join(import.meta.dirname, '../../dist/cli.js')]
        : ['--import', 'tsx', CLI]),
      'serve',
      '--host',
      '127.0.0.1',
    ],
    {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ff2 serve did not start: ${stderr}`));
    }, timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (ready.test(stderr)) {
        clearTimeout(timer);
        const port = /slack http :(\d+)/.exec(stderr)?.[1];
        resolve({
          child,
          stderr: () => stderr,
          port: port ? Number(port) : undefined,
          listenMs: performance.now() - started,
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ff2 serve exited with ${code}: ${stderr}`));
    });
  });
}

/** SIGKILL, and wait until the process is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** Polls `probe` until it returns something other than undefined. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
