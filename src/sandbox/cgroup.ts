import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A memory + pids cgroup per slot, so that a run's processes together stay under one budget
 * (RLIMIT_AS is per process: 64 processes of 1 GiB each would still exhaust the host). Works
 * with cgroup v2 or v1 (memory and pids hierarchies) when ff2 runs as root; where neither is
 * writable it is disabled and the per-process rlimits remain the only bound.
 */
export class SlotCgroups {
  private layout: Promise<Layout | null> | null = null;
  private resolved: Layout | null = null;
  private readonly created = new Set<string>();
  /** Limits last written per slot ("bytes/pids"), so a run with the same limits writes nothing. */
  private readonly sized = new Map<number, string>();
  private readonly oomSeen = new Map<number, number>();

  constructor(
    private readonly root = '/sys/fs/cgroup',
    private readonly prefix = `ff2-${process.pid}`,
  ) {}

  /** Creates (once) and sizes the slot's cgroup; returns false when cgroups are unavailable. */
  async prepare(slot: number, memoryBytes: number, maxPids: number): Promise<boolean> {
    if (!this.layout)
      this.layout = detect(this.root).then((l) => (l ? sweep(l, this.prefix).then(() => l) : null));
    const layout = await this.layout;
    this.resolved = layout;
    if (!layout) return false;
    try {
      for (const dir of this.dirs(layout, slot)) {
        if (!this.created.has(dir)) {
          await mkdir(dir, { recursive: true });
          this.created.add(dir);
        }
      }
      if (!this.oomSeen.has(slot)) this.oomSeen.set(slot, await this.oomKills(slot));
      const size = `${memoryBytes}/${maxPids}`;
      if (this.sized.get(slot) === size) return true;
      const [memory, pids] = this.dirs(layout, slot);
      if (layout.version === 2) {
        await writeFile(join(memory!, 'memory.max'), String(memoryBytes));
        await writeFile(join(memory!, 'memory.swap.max'), '0').catch(() => {});
        await writeFile(join(memory!, 'pids.max'), String(maxPids));
      } else {
        await writeFile(join(memory!, 'memory.limit_in_bytes'), String(memoryBytes));
        await writeFile(join(pids!, 'pids.max'), String(maxPids));
      }
      this.sized.set(slot, size);
      return true;
    } catch {
      this.sized.delete(slot);
      return false;
    }
  }

  /**
   * The cgroup.procs files a run's first process writes its own pid to before it execs the
   * rest (moving it from outside after spawn races with bwrap's first fork).
   */
  procsFiles(slot: number): string[] {
    if (!this.resolved) return [];
    return this.dirs(this.resolved, slot).map((dir) => join(dir, 'cgroup.procs'));
  }

  /** Whether the kernel OOM-killed a process of this slot since the last call (one read). */
  async oomKilledSinceLast(slot: number): Promise<boolean> {
    const now = await this.oomKills(slot);
    const before = this.oomSeen.get(slot) ?? now;
    this.oomSeen.set(slot, now);
    return now > before;
  }

  private async oomKills(slot: number): Promise<number> {
    const layout = this.resolved;
    if (!layout) return 0;
    const [memory] = this.dirs(layout, slot);
    const file = layout.version === 2 ? 'memory.events' : 'memory.oom_control';
    const text = await readFile(join(memory!, file), 'utf8').catch(() => '');
    return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  /** Removes the cgroups (they must be empty: call after every run has ended). */
  async close(): Promise<void> {
    for (const dir of this.created) await rmdir(dir).catch(() => {});
    this.created.clear();
  }

  private dirs(layout: Layout, slot: number): string[] {
    const name = `${this.prefix}-slot-${slot}`;
    return layout.version === 2
      ? [join(layout.memory, name)]
      : [join(layout.memory, name), join(layout.pids, name)];
  }
}

type Layout = { version: 2; memory: string } | { version: 1; memory: string; pids: string };

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

/** Removes empty slot cgroups left by ff2 processes that died. */
async function sweep(layout: Layout, prefix: string): Promise<void> {
  const parents = layout.version === 2 ? [layout.memory] : [layout.memory, layout.pids];
  for (const parent of parents) {
    for (const name of await readdir(parent).catch(() => [] as string[])) {
      const owner = /^ff2-(\d+)-slot-\d+$/.exec(name);
      if (!owner || name.startsWith(`${prefix}-`) || alive(Number(owner[1]))) continue;
      await rmdir(join(parent, name)).catch(() => {});
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
