import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { SandboxError } from '../errors.js';

const PREFIX = 'ff2-sandbox-';

/**
 * Host-side work areas: one size-limited tmpfs per slot, mounted once and emptied after each
 * run (a per-run mount costs ~8 ms of mount+umount, more than the sandbox itself), plus a
 * root-owned read-only folder with the trusted bootstrap files bound into every sandbox.
 */
export class WorkAreas {
  private base: string | null = null;
  private readonly mounted = new Map<string, number>();

  constructor(
    private readonly root = tmpdir(),
    private readonly assets: Record<string, URL> = {},
  ) {}

  /** Creates the base folder and copies the bootstrap assets; sweeps mounts left by dead processes. */
  async prepare(): Promise<string> {
    if (this.base) return this.base;
    await sweepStale(this.root);
    const base = await mkdtemp(join(this.root, `${PREFIX}${process.pid}-`));
    await chmod(base, 0o711);
    const boot = join(base, 'boot');
    await mkdir(boot, { mode: 0o755 });
    for (const [name, url] of Object.entries(this.assets)) {
      await copyFile(url, join(boot, name));
      await chmod(join(boot, name), 0o644);
    }
    this.base = base;
    return base;
  }

  /** Host path of a bootstrap asset. */
  asset(name: string): string {
    if (!this.base) throw new SandboxError('work areas used before prepare()');
    return join(this.base, 'boot', name);
  }

  /** The slot's work dir: a tmpfs of `bytes`, owned by `uid`, mode 0700, empty. */
  async slotDir(index: number, uid: number, bytes: number): Promise<string> {
    const base = await this.prepare();
    const dir = join(base, `slot-${index}`);
    const size = this.mounted.get(dir);
    if (size === undefined) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await mount([
        '-t',
        'tmpfs',
        '-o',
        `size=${bytes},mode=0700,uid=${uid},gid=${uid},nosuid,nodev`,
        'tmpfs',
        dir,
      ]);
      this.mounted.set(dir, bytes);
    } else if (size !== bytes) {
      await mount(['-o', `remount,size=${bytes}`, dir]);
      this.mounted.set(dir, bytes);
    }
    return dir;
  }

  /**
   * Deletes everything in a work dir (never following symlinks). Whatever resists (a tree too
   * deep to delete) goes with the tmpfs itself: the next run gets a fresh mount, so nothing of
   * one session can reach the next.
   */
  async empty(dir: string): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      names.map((name) => rm(join(dir, name), { recursive: true, force: true }).catch(() => {})),
    );
    const left = await readdir(dir).catch(() => ['?']);
    if (left.length > 0 && this.mounted.has(dir)) {
      await umount(dir);
      this.mounted.delete(dir);
    }
  }

  /** Unmounts every slot and deletes the base folder. */
  async close(): Promise<void> {
    for (const dir of this.mounted.keys()) await umount(dir);
    this.mounted.clear();
    if (this.base) await rm(this.base, { recursive: true, force: true });
    this.base = null;
  }
}

async function mount(args: string[]): Promise<void> {
  const result = await execa('/usr/bin/mount', args, { reject: false, extendEnv: false, env: {} });
  if (result.exitCode !== 0) {
    throw new SandboxError(
      `cannot mount the sandbox work area: ${String(result.stderr).trim()}`,
      'run ff2 as root (the sandbox needs root to mount tmpfs and switch to unprivileged UIDs)',
    );
  }
}

async function umount(dir: string): Promise<void> {
  await execa('/usr/bin/umount', ['-l', dir], { reject: false, extendEnv: false, env: {} });
}

/** Unmounts and deletes work areas of ff2 processes that died without closing their sandbox. */
async function sweepStale(root: string): Promise<void> {
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const stale = new Set<string>();
  for (const line of table.split('\n')) {
    const point = line.split(' ')[4] ?? '';
    const match = new RegExp(`^(${escapeRegex(join(root, PREFIX))}(\\d+)-[^/]+)/slot-\\d+$`).exec(point);
    if (match && !alive(Number(match[2]))) {
      await umount(point);
      stale.add(match[1]!);
    }
  }
  for (const base of stale) await rm(base, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
