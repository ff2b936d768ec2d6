import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
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

/**
 * Everything a script can do to outlive its limit: ignore every signal, cancel the in-sandbox
 * timers (faulthandler, SIGALRM), clear its parent-death signal, fork a setsid grandchild that
 * does the same and keeps stdout and stderr open, and then stay busy for 30 s, its own choice.
 */
export const SURVIVOR = `
import ctypes, faulthandler, os, signal, time
libc = ctypes.CDLL(None, use_errno=True)
def harden():
    for s in range(1, 65):
        try:
            signal.signal(s, signal.SIG_IGN)
        except (OSError, ValueError, RuntimeError):
            pass
    signal.setitimer(signal.ITIMER_REAL, 0)
    faulthandler.cancel_dump_traceback_later()
    libc.prctl(1, 0)  # PR_SET_PDEATHSIG: none
def stay(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            time.sleep(0.2)
        except BaseException:
            pass
harden()
print("pid", os.getpid(), flush=True)
if os.fork() == 0:
    os.setsid()
    harden()
    if os.fork() == 0:
        harden()
        print("daemon holds stdout", flush=True)
        stay(30)
        os._exit(0)
    os._exit(0)
stay(30)
`;

/**
 * Runs `script` once in every slot at the same time (each run holds its slot until all have
 * started), and checks that every slot UID was used. The script may use `os`.
 */
export async function inEverySlot(
  sandbox: ProcessSandbox,
  slots: number,
  script: string,
  inputFiles?: Record<string, Uint8Array>,
) {
  const results = await Promise.all(
    Array.from({ length: slots }, () =>
      sandbox.run({
        script: `import os, time\nprint("uid", os.getuid())\n${script}\ntime.sleep(0.3)\n`,
        ...(inputFiles ? { inputFiles } : {}),
      }),
    ),
  );
  const uids = results.map((r) => Number(/^uid (\d+)$/m.exec(r.stdout)?.[1]));
  expect(new Set(uids).size).toBe(slots);
  return results;
}

/**
 * Watches `happened` every 25 ms for `ms`: true when it stayed false the whole time (a bounded
 * quiet period after an observable event, instead of a fixed sleep before a negative check).
 */
export async function quietFor(ms: number, happened: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (happened()) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !happened();
}
