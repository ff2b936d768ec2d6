import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the sandbox keeps its host-side state by default (root-only, gone at reboot). */
export const DEFAULT_SANDBOX_ROOT = '/run/ff2';

/**
 * The host-side layout under one root (default /run/ff2), shared by every ff2 process on the host:
 *   locks/<uid>.lock, <uid>.quarantine   slot ownership (0700, root only; see owner.ts)
 *   work/<uid>                            mount point of the slot's per-run tmpfs (the helper
 *                                         mounts a fresh one for every run)
 *   boot-<hash>/                          the trusted bootstrap files, read-only, by content
 * Parents are 0711 so that bwrap, running as the slot UID, can reach its own work area only.
 */
export class WorkAreas {
  private boot: Promise<string> | null = null;
  private readonly made = new Set<string>();

  constructor(
    readonly root: string = DEFAULT_SANDBOX_ROOT,
    private readonly assets: Record<string, URL> = {},
  ) {}

  get lockDir(): string {
    return join(this.root, 'locks');
  }

  get workRoot(): string {
    return join(this.root, 'work');
  }

  /** The slot's mount point; created (empty, root-owned) when missing. */
  async slotDir(uid: number): Promise<string> {
    const dir = join(this.workRoot, String(uid));
    if (this.made.has(dir)) return dir;
    await this.bootDir();
    await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    this.made.add(dir);
    return dir;
  }

  /** Creates the layout and the bootstrap folder for these asset contents (once per process). */
  bootDir(): Promise<string> {
    if (!this.boot) this.boot = this.makeBoot();
    return this.boot;
  }

  /** Host path of a bootstrap asset (after bootDir()). */
  async asset(name: string): Promise<string> {
    return join(await this.bootDir(), name);
  }

  private async makeBoot(): Promise<string> {
    for (const dir of [this.root, this.workRoot]) {
      await mkdir(dir, { recursive: true, mode: 0o711 });
      await chmod(dir, 0o711);
    }
    await mkdir(this.lockDir, { mode: 0o700 }).catch(() => {});
    await chmod(this.lockDir, 0o700);
    const contents = Object.entries(this.assets).map(([name, url]) => [name, readFileSync(url)] as const);
    const hash = createHash('sha256');
    for (const [name, data] of contents) hash.update(name).update('\0').update(data);
    const boot = join(this.root, `boot-${hash.digest('hex').slice(0, 16)}`);
    if (existsSync(boot)) return boot;
    const tmp = await mkdtemp(join(this.root, 'boot-tmp-'));
    for (const [name, data] of contents) {
      await writeFile(join(tmp, name), data);
      await chmod(join(tmp, name), 0o644); // readable by the slot UIDs whatever the umask
    }
    await chmod(tmp, 0o755);
    await rename(tmp, boot).catch(async () => {
      await rm(tmp, { recursive: true, force: true }); // another process made it first
    });
    return boot;
  }
}
