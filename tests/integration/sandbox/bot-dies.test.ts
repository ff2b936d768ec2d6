import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { processesOf, testSandbox } from './helpers.js';

const UID_BASE = 62301;
const fixture = new URL('./bot-dies.fixture.ts', import.meta.url).pathname;

async function until(check: () => boolean, maxMs: number): Promise<boolean> {
  for (let waited = 0; waited < maxMs; waited += 25) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

/** Starts the stand-in bot; tsx runs it in a child node process, which is the real parent. */
async function startBot(uid: number, timeoutMs: number) {
  const tsx = execa('node_modules/.bin/tsx', [fixture, String(uid), String(timeoutMs)], {
    reject: false,
    timeout: 60_000,
  });
  expect(await until(() => childrenOf(tsx.pid!).length > 0, 15_000)).toBe(true);
  const node = childrenOf(tsx.pid!);
  return {
    crash: async () => {
      for (const pid of node) process.kill(pid, 'SIGKILL');
      process.kill(tsx.pid!, 'SIGKILL');
      await tsx;
    },
  };
}

/** The script itself runs (bwrap's own command line also names main.py: match the executable). */
const running = (uid: number) => () =>
  processesOf(uid, 1).some((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('python3'));

const sandbox = testSandbox(UID_BASE + 10, 1);
afterAll(() => sandbox.close());

describe('when the bot dies', () => {
  it('takes a running sandbox down with it, and the next start sweeps its work areas', async () => {
    const bot = await startBot(UID_BASE, 60_000);
    expect(await until(running(UID_BASE), 15_000)).toBe(true);
    await bot.crash();
    expect(await until(() => processesOf(UID_BASE, 1).length === 0, 3_000)).toBe(true);

    // A new sandbox in another process sweeps mounts whose owner is dead.
    await sandbox.run({ script: 'pass' });
    const owners = [...readFileSync('/proc/self/mountinfo', 'utf8').matchAll(/ff2-sandbox-(\d+)-/g)].map(
      (m) => Number(m[1]),
    );
    expect(owners.filter((pid) => !alive(pid))).toEqual([]);
  });

  it('ends a run whose bot died while starting it, at the latest when the slot is next used', async () => {
    const bot = await startBot(UID_BASE + 1, 1_000);
    expect(await until(() => processesOf(UID_BASE + 1, 1).length > 0, 15_000)).toBe(true);
    await bot.crash();
    // The in-sandbox watchdog ends a started script; bwrap's half-started child (waiting for its dead
    // parent) is ended by the next bot that uses the slot.
    await until(() => processesOf(UID_BASE + 1, 1).length === 0, 5_000);
    const restarted = testSandbox(UID_BASE + 1, 1);
    try {
      const result = await restarted.run({ script: 'print("ok")' });
      expect(result.stdout).toBe('ok\n');
    } finally {
      await restarted.close();
    }
    expect(await until(() => processesOf(UID_BASE + 1, 1).length === 0, 5_000)).toBe(true);
  });
});

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
