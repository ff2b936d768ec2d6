import { SandboxError } from '../errors.js';
import type { CgroupStatus } from './cgroup.js';
import { ensureHelper, HELPER_FIX } from './native.js';
import type { RunRequest, RunResult, SandboxCheck } from './types.js';

export interface SandboxHealth {
  seccomp: SandboxCheck;
  cgroup: CgroupStatus;
  slots: SandboxCheck;
}

/** Calls keyctl(KEYCTL_GET_KEYRING_ID) inside the sandbox; the filter must make it fail with EPERM. */
const SECCOMP_PROBE = [
  'import ctypes, os',
  'nr = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'r = libc.syscall(nr, 0, -1, 0, 0, 0) if nr else -1',
  'print("keyctl", "errno", ctypes.get_errno() if r == -1 else "none")',
].join('\n');

/** What health() needs from the sandbox. */
export interface HealthSources {
  run(request: RunRequest): Promise<RunResult>;
  proveCgroups(): Promise<void>;
  cgroup(): Promise<CgroupStatus>;
  slots: number;
  retired: ReadonlyMap<number, string>;
}

/** The seccomp filter proven in force by a real run, the cgroup budgets, and quarantined slots. */
export async function sandboxHealth(from: HealthSources): Promise<SandboxHealth> {
  let seccomp: SandboxCheck;
  try {
    const helper = await ensureHelper();
    const probe = await from.run({ script: SECCOMP_PROBE, limits: { timeoutMs: 10_000 } });
    seccomp =
      probe.stdout.trim() === 'keyctl errno 1'
        ? { ok: true, detail: `denylist filter in force (keyctl denied with EPERM; ${helper.seccomp})` }
        : {
            ok: false,
            detail: `keyctl was not denied inside the sandbox: ${(probe.stdout + probe.stderr).trim().slice(0, 200)}`,
            fix: HELPER_FIX,
          };
  } catch (error) {
    seccomp = {
      ok: false,
      detail: (error as Error).message,
      ...(error instanceof SandboxError && error.fix ? { fix: error.fix } : {}),
    };
  }
  if (seccomp.ok) await from.proveCgroups();
  const cgroup = await from.cgroup();
  const retired = [...from.retired.entries()];
  const slots: SandboxCheck =
    retired.length === 0
      ? { ok: true, detail: `${from.slots} slot(s), none quarantined` }
      : {
          ok: false,
          detail: `quarantined: ${retired.map(([uid, why]) => `${uid} (${why})`).join('; ')}`,
          fix: 'find the stuck processes with ps -o pid,stat,cmd -u <uid>; restart the host if they are in D state',
        };
  return { seccomp, cgroup, slots };
}
