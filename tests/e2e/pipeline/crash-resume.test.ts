import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
let dir = '';
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function lines(name: string): Record<string, unknown>[] {
  const path = join(dir, name);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function startChild(): { proc: ChildProcess; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, FF2_CRASH_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { proc, exited };
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a process killed mid-stage', () => {
  it('finishes after a restart with no duplicate posts and no repeated model call for a committed step', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ff2-crash-'));
    const first = startChild();
    child = first.proc;
    await until(() => lines('calls.jsonl').filter((c) => c.task === 'generate').length >= 4, 60_000);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    const second = startChild();
    child = second.proc;
    expect(await second.exited).toBe(0);

    const store = openStore(join(dir, 'ff2.db'));
    try {
      const session = store.getSessionByThread('terminal:C1:t1');
      expect(session?.stage).toBe('shipped');
      const posts = lines('posts.jsonl')
        .filter((p) => !p.edit)
        .map((p) => String(p.text));
      expect(posts.filter((t) => !t.startsWith('⏳'))).toEqual([
        ...new Set(posts.filter((t) => !t.startsWith('⏳'))),
      ]);
      // Every logical call was answered once, except at most the one in flight at the kill.
      const calls = lines('calls.jsonl').map((c) => `${c.task}:${c.section}`);
      const repeated = calls.filter((c, i) => calls.indexOf(c) !== i);
      expect(repeated.length).toBeLessThanOrEqual(1);
      expect(calls.length).toBeLessThanOrEqual(12);
      const okKeys = store
        .listLlmCalls(session!.id)
        .filter((c) => c.outcome === 'ok')
        .map((c) => c.callKey);
      expect(new Set(okKeys).size).toBe(okKeys.length);
    } finally {
      store.close();
    }
  }, 120_000);
});
