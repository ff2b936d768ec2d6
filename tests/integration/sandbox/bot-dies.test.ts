import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { processesOf, SURVIVOR, testSandbox } from './helpers.js';

const UID_BASE = 63400;
const WINDOW = 64;
const fixture = new URL('./bot-dies.fixture.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ff2-bot-dies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean, maxMs: number): Promise<boolean> {
  for (let waited = 0; waited < maxMs; waited += 25) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

/** Starts the stand-in bot; tsx runs it in a child node process, which is the real parent. */
async function startBot(uid: number, timeoutMs: number, script?: string) {
  const args = [fixture, String(uid), String(timeoutMs)];
  if (script) {
    writeFileSync(join(dir, 'script.py'), script);
    args.push(join(dir, 'script.py'));
  }
  const tsx = execa('node_modules/.bin/tsx', args, { reject: false, timeout: 60_000 });
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

/** Python processes of the UID (bwrap's own command line also names main.py: match the executable). */
const pythons = (uid: number) =>
  processesOf(uid, 1).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('python3');
    } catch {
      return false;
    }
  });

const mountedAreas = (uid: number) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.split(' ')[4] === `/run/ff2/work/${uid}`);

describe('when the bot is killed with SIGKILL mid-run', () => {
  it('nothing of the run is alive 2 s later, not even a setsid daemon that ignores signals', async () => {
    const bot = await startBot(UID_BASE, 60_000, SURVIVOR);
    // The script and its hardened setsid grandchild are both running.
    expect(await until(() => pythons(UID_BASE).length >= 2, 15_000)).toBe(true);
    await bot.crash();
    expect(await until(() => processesOf(UID_BASE, WINDOW).length === 0, 2_000)).toBe(true);
    // Its slot is given back: the work area is unmounted and the next bot gets the same UID.
    expect(await until(() => mountedAreas(UID_BASE).length === 0, 2_000)).toBe(true);
    const next = testSandbox(UID_BASE, 1);
    try {
      const result = await next.run({ script: 'import os\nprint(os.getuid(), sorted(os.listdir(".")))' });
      expect(result.stdout).toBe(`${UID_BASE} ['main.py']\n`);
    } finally {
      await next.close();
    }
    expect(mountedAreas(UID_BASE)).toEqual([]);
  });

  it('ends a run whose bot died while starting it', async () => {
    const bot = await startBot(UID_BASE + 1, 1_000);
    expect(await until(() => processesOf(UID_BASE + 1, 1).length > 0, 15_000)).toBe(true);
    await bot.crash();
    expect(await until(() => processesOf(UID_BASE + 1, 1).length === 0, 2_000)).toBe(true);
    const restarted = testSandbox(UID_BASE + 1, 1);
    try {
      const result = await restarted.run({ script: 'print("ok")' });
      expect(result.stdout).toBe('ok\n');
    } finally {
      await restarted.close();
    }
    expect(processesOf(UID_BASE + 1, 1)).toEqual([]);
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
