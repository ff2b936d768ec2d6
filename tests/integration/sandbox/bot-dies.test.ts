import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { processesOf, testSandbox } from './helpers.js';

const UID_BASE = 62301;
const fixture = new URL('./bot-dies.fixture.ts', import.meta.url).pathname;

async function until(check: () => boolean, maxMs: number): Promise<boolean> {
  for (let waited = 0; waited < maxMs; waited += 50) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

const sandbox = testSandbox(UID_BASE + 10, 1);
afterAll(() => sandbox.close());

describe('when the bot dies', () => {
  it('takes its running sandbox down with it, and the next start sweeps its work areas', async () => {
    const bot = execa('node_modules/.bin/tsx', [fixture, String(UID_BASE)], {
      reject: false,
      timeout: 30_000,
    });
    expect(await until(() => processesOf(UID_BASE, 1).length > 0, 15_000)).toBe(true);
    const pid = bot.pid!;
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(`ff2-sandbox-`);
    // tsx runs the fixture in a child node process; kill the whole group as a crash would.
    const children = childrenOf(pid);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) process.kill(child, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await bot;
    expect(await until(() => processesOf(UID_BASE, 1).length === 0, 5_000)).toBe(true);

    // A new sandbox in another process sweeps mounts whose owner is dead.
    await sandbox.run({ script: 'pass' });
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    const stale = mounts
      .split('\n')
      .filter(
        (line) => /ff2-sandbox-(\d+)-/.test(line) && !alive(Number(/ff2-sandbox-(\d+)-/.exec(line)![1])),
      );
    expect(stale).toEqual([]);
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
