import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from '../errors.js';

/** UIDs looked at from the base upwards when claiming slots. */
export const UID_WINDOW = 64;

/**
 * Host-wide ownership of slot UIDs. Several ff2 processes may share a host (`ff2 serve`,
 * `ff2 chat`, test workers): a process may end "every process of a slot UID" only for UIDs it
 * owns. The helper holds an exclusive flock on `<lockDir>/<uid>.lock` per claimed UID for as
 * long as this process lives (it exits when our end of its stdin closes, including when we are
 * killed), kills whatever a dead former owner left on each UID first, and skips UIDs held by
 * others or that cannot be emptied (marked `<uid>.quarantine`).
 */
export class SlotOwner {
  private child: ChildProcess | null = null;

  constructor(
    private readonly helper: string,
    private readonly lockDir: string,
    private readonly workRoot: string,
  ) {}

  /** Claims up to `want` UIDs from `first` on; resolves with those claimed (at least one). */
  async claim(first: number, want: number, window = Math.max(UID_WINDOW, want)): Promise<number[]> {
    const child = spawn(
      this.helper,
      ['lock', this.lockDir, this.workRoot, String(first), String(window), String(want)],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: {},
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new SandboxError(`the sandbox lock helper ended (${code})`)));
    });
    const uids = line.trim().split(/\s+/).filter(Boolean).map(Number);
    if (uids.length === 0) {
      child.kill();
      throw new SandboxError(
        `no free sandbox UID in ${first}-${first + window - 1}: other ff2 processes hold them all`,
        'stop another ff2 process, or set FF2_SANDBOX_UID_BASE to an unused range',
      );
    }
    // Held for the life of this process, but never keeps it alive.
    child.stdout.destroy();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    child.unref();
    this.child = child;
    return uids;
  }

  /** Gives the UIDs back: the helper ends their processes, unmounts their work areas and exits. */
  async release(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.ref(); // awaited: keep ff2 alive until it is gone
    child.kill('SIGTERM');
    await exited;
  }
}

/** A UID marked as impossible to empty, and why; null when healthy. */
export async function quarantineOf(lockDir: string, uid: number): Promise<string | null> {
  return readFile(join(lockDir, `${uid}.quarantine`), 'utf8').then(
    (text) => text.trim(),
    () => null,
  );
}

/** All quarantined UIDs under lockDir. */
export async function quarantined(lockDir: string): Promise<{ uid: number; why: string }[]> {
  const names = await readdir(lockDir).catch(() => [] as string[]);
  const out: { uid: number; why: string }[] = [];
  for (const name of names) {
    const match = /^(\d+)\.quarantine$/.exec(name);
    if (!match) continue;
    out.push({ uid: Number(match[1]), why: (await quarantineOf(lockDir, Number(match[1]))) ?? '' });
  }
  return out;
}

export interface SlotsReport {
  /** UIDs another live process holds the lock of. */
  held: number[];
  quarantined: { uid: number; why: string }[];
  /** UIDs nobody holds that still have live processes (a dead owner's leftovers). */
  orphaned: number[];
}

/**
 * Host-wide state of the UIDs [first, first + window): who holds which (from /proc/locks), which
 * are quarantined, and which have processes but no owner. Reads only; never kills.
 */
export async function slotsReport(lockDir: string, first: number, window = UID_WINDOW): Promise<SlotsReport> {
  const locks = await readFile('/proc/locks', 'utf8').catch(() => '');
  const lockedInodes = new Set(
    locks
      .split('\n')
      .filter((line) => / FLOCK /.test(line))
      .map((line) => line.trim().split(/\s+/)[5]?.split(':')[2])
      .filter(Boolean),
  );
  const held: number[] = [];
  for (let uid = first; uid < first + window; uid++) {
    const inode = await stat(join(lockDir, `${uid}.lock`)).then(
      (s) => String(s.ino),
      () => null,
    );
    if (inode && lockedInodes.has(inode)) held.push(uid);
  }
  const live = await liveUids(first, window);
  const all = await quarantined(lockDir);
  return {
    held,
    quarantined: all.filter((q) => q.uid >= first && q.uid < first + window),
    orphaned: [...live].filter((uid) => !held.includes(uid)).sort((a, b) => a - b),
  };
}

async function liveUids(first: number, window: number): Promise<Set<number>> {
  const found = new Set<number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (entry.charCodeAt(0) > 57) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (/^State:\s+Z/m.test(status)) continue;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    if (uid >= first && uid < first + window) found.add(uid);
  }
  return found;
}
