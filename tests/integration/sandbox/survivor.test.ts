import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { processesOf, SURVIVOR, testSandbox } from './helpers.js';

const UID_BASE = 63200;
const CLI_UID_BASE = 63300;
const WINDOW = 64;
const sandbox = testSandbox(UID_BASE, 2);
const dir = mkdtempSync(join(tmpdir(), 'ff2-survivor-'));
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a script that fights its limit', () => {
  it('is never pid 1, so it can kill its own process group', async () => {
    const result = await sandbox.run({
      script:
        'import os, signal\nprint("pid", os.getpid(), flush=True)\nos.kill(0, signal.SIGKILL)\nprint("survived")\n',
    });
    expect(result.stdout).not.toContain('survived');
    expect(result.stdout).not.toMatch(/^pid 1$/m);
    expect(result).toMatchObject({ status: 'killed', signal: 'SIGKILL' });
  });

  it('still ends at the wall limit as a timeout, with nothing of its UID left', async () => {
    const started = performance.now();
    const result = await sandbox.run({ script: SURVIVOR, limits: { timeoutMs: 2000 } });
    const elapsed = performance.now() - started;
    expect(result.status).toBe('timeout');
    expect(result.stdout).toContain('daemon holds stdout');
    expect(elapsed).toBeLessThan(30_000); // the script's own choice was 30 s
    expect(processesOf(UID_BASE, WINDOW)).toEqual([]);
  });

  it('holds every slot at once, and every slot comes back empty', async () => {
    const results = await Promise.all(
      [0, 1].map(() => sandbox.run({ script: SURVIVOR, limits: { timeoutMs: 2000 } })),
    );
    expect(results.map((r) => r.status)).toEqual(['timeout', 'timeout']);
    expect(processesOf(UID_BASE, WINDOW)).toEqual([]);
    const next = await sandbox.run({ script: 'print("free again")' });
    expect(next).toMatchObject({ status: 'ok', stdout: 'free again\n' });
  });

  it('through `ff2 sandbox run --timeout 2` (a child process) returns a timeout well before 30 s', async () => {
    writeFileSync(join(dir, 'survivor.py'), SURVIVOR);
    const started = performance.now();
    const cli = await execa(
      'node_modules/.bin/tsx',
      ['src/cli.ts', 'sandbox', 'run', join(dir, 'survivor.py'), '--timeout', '2', '--json'],
      {
        reject: false,
        timeout: 60_000,
        env: {
          FF2_DATA_DIR: join(dir, 'data'),
          FF2_SANDBOX_UID_BASE: String(CLI_UID_BASE),
          FF2_SANDBOX_SLOTS: '1',
          FF2_LOG_LEVEL: 'silent',
        },
      },
    );
    const elapsed = performance.now() - started;
    expect(cli.exitCode, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as { status: string; durationMs: number };
    expect(report.status).toBe('timeout');
    expect(report.durationMs).toBeLessThan(30_000);
    expect(elapsed).toBeLessThan(30_000);
    expect(processesOf(CLI_UID_BASE, WINDOW)).toEqual([]);
  });
});
