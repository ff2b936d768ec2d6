import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { processesOf, testSandbox } from './helpers.js';

const UID_BASE = 62401;
const sandbox = testSandbox(UID_BASE, 1);
afterAll(() => sandbox.close());

/** This file's slot cgroups, in the v1 memory hierarchy or the v2 root. */
function ownCgroups(): string[] {
  const memory = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((line) => line.split(':')[1]?.split(',').includes('memory'))
    ?.split(':')[2];
  const parent = memory === undefined ? '/sys/fs/cgroup' : `/sys/fs/cgroup/memory${memory}`;
  return readdirSync(parent).filter((name) => name === `ff2-uid-${UID_BASE}`);
}

describe('per-run cgroup budgets (on by default)', () => {
  it('bounds the memory of all of a run’s processes together, not only each one', async () => {
    const script = [
      'import os, time',
      'children = []',
      'for _ in range(4):',
      '    pid = os.fork()',
      '    if pid == 0:',
      '        block = b"x" * (200 * 1024 * 1024)  # each is under its own 320 MiB limit',
      '        time.sleep(3)',
      '        os._exit(0)',
      '    children.append(pid)',
      'for pid in children:',
      '    os.waitpid(pid, 0)',
      'print("all children ended")',
    ].join('\n');
    const result = await sandbox.run({ script, limits: { memoryMb: 320, timeoutMs: 30_000 } });
    expect(result.status).toBe('memory');
    expect(ownCgroups()).toEqual([`ff2-uid-${UID_BASE}`]);
    expect(processesOf(UID_BASE, 1)).toEqual([]);
  });

  it('still runs ordinary scripts, and removes its cgroups on close', async () => {
    const result = await sandbox.run({ script: 'print(sum(range(10)))\n' });
    expect(result).toMatchObject({ status: 'ok', stdout: '45\n' });
    await sandbox.close();
    expect(ownCgroups()).toEqual([]);
  });
});
