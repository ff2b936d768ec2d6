import { readdirSync, readFileSync } from 'node:fs';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { defaultLimits } from '../../../src/sandbox/limits.js';
import type { Limits } from '../../../src/sandbox/types.js';

/** Short limits so the whole suite stays fast on 2 cores. */
export const TEST_LIMITS: Limits = { ...defaultLimits({ timeoutS: 3, memoryMb: 1024 }), cpuSeconds: 5 };

/** Each test file gets its own UID range so parallel files never share an RLIMIT_NPROC budget. */
export function testSandbox(uidBase: number, slots = 2, cgroup = true): ProcessSandbox {
  return new ProcessSandbox({ python: '/usr/bin/python3', slots, limits: TEST_LIMITS, uidBase, cgroup });
}

/** PIDs of live processes whose real UID is in [first, first + count). Zombies run nothing. */
export function processesOf(first: number, count: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let status: string;
    try {
      status = readFileSync(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue;
    }
    if (/^State:\s+Z/m.test(status)) continue;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    if (uid >= first && uid < first + count) found.push(Number(entry));
  }
  return found;
}

/** Everything a run could leak through, as one string. */
export function everything(result: {
  stdout: string;
  stderr: string;
  outputFiles: { name: string; data: Uint8Array }[];
}) {
  const files = result.outputFiles.map((f) => `${f.name}\n${Buffer.from(f.data).toString('latin1')}`);
  return [result.stdout, result.stderr, ...files].join('\n');
}
