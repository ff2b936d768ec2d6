import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { SandboxError } from '../errors.js';

/**
 * The root-side helper (native/*.c, usage in native/main.c) and the seccomp filter it writes. Both are built
 * once per source version into a root-owned cache (scripts/setup.sh does it at install; the
 * first sandbox use does it otherwise) so that a run costs no compilation and no filter build.
 */

/** The same path from src/sandbox (tsx, vitest) and dist/sandbox (compiled). */
const SOURCE = fileURLToPath(new URL('../../src/sandbox/native/', import.meta.url));
export const HELPER_CACHE = '/var/cache/ff2';
export const HELPER_FIX = 'apt-get install -y gcc libseccomp-dev, then run scripts/setup.sh';

export interface Helper {
  /** The helper executable. */
  bin: string;
  /** The seccomp denylist as a BPF program, passed to bwrap --seccomp. */
  seccomp: string;
}

let built: Promise<Helper> | null = null;

/** Builds (once per process, and only when the cache lacks this source version) and returns the helper. */
export function ensureHelper(cache = HELPER_CACHE): Promise<Helper> {
  if (!built) {
    built = build(cache);
    built.catch(() => {
      built = null;
    });
  }
  return built;
}

async function build(cache: string): Promise<Helper> {
  if (!existsSync(join(SOURCE, 'main.c')))
    throw new SandboxError(`the sandbox helper source is missing (${SOURCE})`);
  const files = readdirSync(SOURCE)
    .filter((name) => /\.[ch]$/.test(name))
    .sort();
  const hash = createHash('sha256');
  for (const name of files)
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(SOURCE, name)));
  const version = hash.digest('hex').slice(0, 16);
  const dir = join(cache, `sandbox-${version}`);
  const helper = { bin: join(dir, 'ff2-sandbox'), seccomp: join(dir, 'seccomp.bpf') };
  if (existsSync(helper.bin) && existsSync(helper.seccomp)) {
    assertRootOnly(cache, dir, helper.bin, helper.seccomp);
    return helper;
  }
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(cache, 0o755);
  await chmod(dir, 0o755);
  assertRootOnly(cache, dir);
  const tmp = `${helper.bin}.${process.pid}`;
  const sources = files.filter((name) => name.endsWith('.c')).map((name) => join(SOURCE, name));
  const cc = await execa('cc', ['-O2', '-o', tmp, ...sources, '-lseccomp'], { reject: false, all: true });
  if (cc.exitCode !== 0) {
    await rm(tmp, { force: true });
    throw new SandboxError(
      `cannot build the sandbox helper: ${String(cc.all ?? cc.message)
        .trim()
        .slice(0, 400)}`,
      HELPER_FIX,
    );
  }
  const bpf = await execa(tmp, ['bpf', helper.seccomp], { reject: false, all: true });
  if (bpf.exitCode !== 0) {
    await rm(tmp, { force: true });
    throw new SandboxError(`cannot build the seccomp filter: ${String(bpf.all).trim()}`, HELPER_FIX);
  }
  await chmod(tmp, 0o755);
  await rename(tmp, helper.bin);
  return helper;
}

/** The helper runs as root: it and its folders must be root's and writable by no one else. */
function assertRootOnly(...paths: string[]): void {
  for (const path of paths) {
    const stat = statSync(path);
    if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
      throw new SandboxError(
        `${path} must belong to root and be writable by no one else`,
        `chown -R root:root ${HELPER_CACHE} && chmod -R go-w ${HELPER_CACHE}`,
      );
    }
  }
}

/** `node dist/sandbox/native.js` (scripts/setup.sh) builds the helper ahead of the first run. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureHelper().then(
    (h) => console.log(`sandbox helper: ${h.bin}`),
    (error: Error) => {
      console.error(`sandbox helper: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
