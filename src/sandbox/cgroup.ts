import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Whether per-run memory and process budgets are in force, and if not why, with the fix. */
export interface CgroupStatus {
  ok: boolean;
  detail: string;
  fix?: string;
}

export const CGROUP_FIX =
  'run ff2 as root on a host with cgroup v2 (memory and pids controllers) or cgroup v1 memory and pids hierarchies mounted under /sys/fs/cgroup; in a container, give it a writable cgroup namespace (docker run --cgroupns=private, or systemd Delegate=yes)';

/**
 * A memory + pids cgroup per slot UID (`ff2-uid-<uid>`), so that all of a run's processes share
 * one budget (RLIMIT_AS is per process: 64 processes of 1 GiB each would still exhaust the
 * host). cgroup v2, or v1 memory and pids hierarchies. Made once and reused by every run of the
 * slot (UIDs are owned host-wide, so the name is too); sized only when limits change. The run's
 * first process joins it before dropping to the slot UID (native helper).
 */
export class SlotCgroups {
  private layout: Promise<Layout | null> | null = null;
  private resolved: Layout | null = null;
  private readonly sized = new Map<number, string>();
  private readonly oomSeen = new Map<number, number>();
  private readonly made = new Set<string>();
  private problem = '';

  constructor(private readonly root = '/sys/fs/cgroup') {}

  private disabled = '';

  /** Stops using cgroups in this process (joining failed); status() reports why. */
  disable(why: string): void {
    this.disabled = why;
    this.problem = why;
  }

  /** Creates and sizes the slot's cgroup; returns its cgroup.procs files, or null when unusable. */
  async prepare(uid: number, memoryBytes: number, maxPids: number): Promise<string[] | null> {
    if (this.disabled) return null;
    if (!this.layout) this.layout = detect(this.root);
    const layout = await this.layout;
    this.resolved = layout;
    if (!layout) {
      this.problem = 'no writable cgroup v2 (memory, pids) or v1 memory and pids hierarchy';
      return null;
    }
    const dirs = dirsOf(layout, uid);
    try {
      const size = `${memoryBytes}/${maxPids}`;
      if (this.sized.get(uid) !== size) {
        for (const dir of dirs) {
          await mkdir(dir, { recursive: true });
          this.made.add(dir);
        }
        const [memory, pids] = dirs as [string, string | undefined];
        if (layout.version === 2) {
          await writeFile(join(memory, 'memory.max'), String(memoryBytes));
          await writeFile(join(memory, 'memory.swap.max'), '0').catch(() => {});
          await writeFile(join(memory, 'pids.max'), String(maxPids));
        } else {
          const swap = join(memory, 'memory.memsw.limit_in_bytes');
          await writeFile(swap, String(memoryBytes)).catch(() => {});
          await writeFile(join(memory, 'memory.limit_in_bytes'), String(memoryBytes));
          await writeFile(swap, String(memoryBytes)).catch(() => {});
          await writeFile(join(memory, 'memory.swappiness'), '0').catch(() => {});
          await writeFile(join(pids!, 'pids.max'), String(maxPids));
        }
        this.sized.set(uid, size);
      }
      if (!this.oomSeen.has(uid)) this.oomSeen.set(uid, await this.oomKills(uid));
      this.problem = this.disabled;
      return dirs.map((dir) => join(dir, 'cgroup.procs'));
    } catch (error) {
      this.sized.delete(uid);
      this.problem = `cannot set up ${dirs[0]}: ${(error as Error).message}`;
      return null;
    }
  }

  /** How things stand after the last prepare() (or a fresh probe). */
  async status(): Promise<CgroupStatus> {
    if (!this.layout) this.layout = detect(this.root);
    const layout = await this.layout;
    if (!layout || this.problem) {
      return {
        ok: false,
        detail: `per-run memory and process budgets are off: ${this.problem || 'no usable cgroup hierarchy'}; each process is still bounded by its rlimits`,
        fix: CGROUP_FIX,
      };
    }
    return {
      ok: true,
      detail:
        layout.version === 2
          ? `cgroup v2: memory.max (no swap) and pids.max per run under ${layout.memory}`
          : `cgroup v1: memory.limit_in_bytes and pids.max per run under ${layout.memory} and ${layout.pids}`,
    };
  }

  /** Whether the kernel OOM-killed a process of this slot since the last call (one read). */
  async oomKilledSinceLast(uid: number): Promise<boolean> {
    const now = await this.oomKills(uid);
    const before = this.oomSeen.get(uid) ?? now;
    this.oomSeen.set(uid, now);
    return now > before;
  }

  private async oomKills(uid: number): Promise<number> {
    const layout = this.resolved;
    if (!layout) return 0;
    const [memory] = dirsOf(layout, uid);
    const file = layout.version === 2 ? 'memory.events' : 'memory.oom_control';
    let text = '';
    try {
      text = readFileSync(join(memory!, file), 'utf8'); // a kernel file: no disk, no thread-pool trip
    } catch {
      // gone or unreadable: no kill seen
    }
    return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  /** Removes the slot cgroups made here (empty once every run has ended). */
  async close(): Promise<void> {
    for (const dir of this.made) await rmdir(dir).catch(() => {});
    this.made.clear();
    this.sized.clear();
  }
}

type Layout = { version: 2; memory: string } | { version: 1; memory: string; pids: string };

function dirsOf(layout: Layout, uid: number): string[] {
  const name = `ff2-uid-${uid}`;
  return layout.version === 2
    ? [join(layout.memory, name)]
    : [join(layout.memory, name), join(layout.pids, name)];
}

/** Where this process's cgroups are, per /proc/self/cgroup, if they can hold children. */
async function detect(root: string): Promise<Layout | null> {
  const own = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  const pathOf = (controller: string) =>
    own
      .split('\n')
      .map((line) => line.split(':'))
      .find(([, controllers]) => controllers?.split(',').includes(controller))?.[2];
  const v2 = own.split('\n').find((line) => line.startsWith('0::'));
  if (existsSync(join(root, 'cgroup.controllers')) && v2 !== undefined) {
    const controllers = await readFile(join(root, 'cgroup.controllers'), 'utf8').catch(() => '');
    if (!/\bmemory\b/.test(controllers) || !/\bpids\b/.test(controllers)) return null;
    // Children of the root can always use the controllers; ff2's own cgroup usually cannot
    // (no internal processes), so the slots go under the root.
    const sub = await readFile(join(root, 'cgroup.subtree_control'), 'utf8').catch(() => '');
    if (!/\bmemory\b/.test(sub) || !/\bpids\b/.test(sub)) {
      await writeFile(join(root, 'cgroup.subtree_control'), '+memory +pids').catch(() => {});
    }
    return { version: 2, memory: root };
  }
  const memory = pathOf('memory');
  const pids = pathOf('pids');
  if (memory === undefined || pids === undefined) return null;
  const layout = {
    version: 1 as const,
    memory: join(root, 'memory', memory),
    pids: join(root, 'pids', pids),
  };
  return existsSync(layout.memory) && existsSync(layout.pids) ? layout : null;
}
