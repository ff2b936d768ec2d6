import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { slotsReport } from '../../../src/sandbox/owner.js';
import { processesOf, testSandbox } from './helpers.js';

const UID_BASE = 63700;
const LOCKS = '/run/ff2/locks';
const WINDOW = 16;

async function until(check: () => boolean | Promise<boolean>, maxMs: number): Promise<boolean> {
  for (let waited = 0; waited < maxMs; waited += 25) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

const closing: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const sandbox of closing) await sandbox.close();
});

describe('slot UIDs are owned host-wide', () => {
  it('a process left on a UID by a dead owner is reported, then ended when the UID is claimed', async () => {
    const uid = UID_BASE;
    const leftover = execa(
      '/usr/bin/setpriv',
      [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', '/usr/bin/sleep', '60'],
      {
        reject: false,
      },
    );
    expect(await until(() => processesOf(uid, 1).length > 0, 5_000)).toBe(true);
    expect((await slotsReport(LOCKS, uid, 1)).orphaned).toEqual([uid]);

    const sandbox = testSandbox(uid, 1);
    closing.push(sandbox);
    const result = await sandbox.run({ script: 'import os\nprint(os.getuid())' });
    expect(result.stdout).toBe(`${uid}\n`);
    expect((await leftover).signal).toBe('SIGKILL');
    expect(processesOf(uid, 1)).toEqual([]);
    expect((await slotsReport(LOCKS, uid, 1)).held).toEqual([uid]);
  });

  it('two sandboxes with the same base take different UIDs and never end each other’s runs', async () => {
    const a = testSandbox(UID_BASE + 2, 1);
    const b = testSandbox(UID_BASE + 2, 2);
    closing.push(a, b);
    const long = a.run({
      script: 'import os, time\nprint("uid", os.getuid(), flush=True)\ntime.sleep(1.5)\nprint("done")',
      limits: { timeoutMs: 10_000 },
    });
    // Let A claim first, then run B's slots hard: each B run ends every process of its own UIDs.
    await until(() => processesOf(UID_BASE + 2, 1).length > 0, 5_000);
    const quick = [];
    for (let i = 0; i < 6; i++) quick.push(b.run({ script: 'import os\nprint("uid", os.getuid())' }));
    const bResults = await Promise.all(quick);
    const aResult = await long;
    expect(aResult).toMatchObject({ status: 'ok' });
    expect(aResult.stdout).toBe(`uid ${UID_BASE + 2}\ndone\n`);
    const bUids = new Set(bResults.map((r) => Number(/uid (\d+)/.exec(r.stdout)?.[1])));
    expect([...bUids].sort()).toEqual([UID_BASE + 3, UID_BASE + 4]);
    const report = await slotsReport(LOCKS, UID_BASE + 2, 3);
    expect(report.held).toEqual([UID_BASE + 2, UID_BASE + 3, UID_BASE + 4]);
    expect(report.orphaned).toEqual([]);
  });

  it('gives its UIDs back on close: processes ended, locks released', async () => {
    const sandbox = testSandbox(UID_BASE + 8, 1);
    await sandbox.run({ script: 'pass' });
    expect((await slotsReport(LOCKS, UID_BASE + 8, 1)).held).toEqual([UID_BASE + 8]);
    await sandbox.close();
    expect((await slotsReport(LOCKS, UID_BASE + 8, WINDOW)).held).toEqual([]);
    expect(processesOf(UID_BASE + 8, 1)).toEqual([]);
  });
});
