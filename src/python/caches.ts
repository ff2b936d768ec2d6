import { chmod, copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * First-import caches of the script environment, built once on the host by trusted code (setup,
 * `ff2 python prepare`, or the sandbox's first run) so no sandboxed run pays for them: today
 * matplotlib's font list, which it otherwise rebuilds on every run (a fresh HOME each time).
 * Inside the sandbox the files are bound read-only at CACHE_MOUNT and linked into a writable
 * MPLCONFIGDIR by sandbox_site.py.
 */

/** Where the prepared matplotlib cache is bound inside the sandbox. */
export const MPL_CACHE_MOUNT = '/etc/ff2/matplotlib';
/** matplotlib's config/cache folder inside the sandbox (writable, private, never collected). */
export const MPL_CONFIG_DIR = '/tmp/matplotlib';

export interface PreparedCaches {
  /** Host folder holding matplotlib's font cache; null when matplotlib is not installed. */
  matplotlib: string | null;
  /** What was done, for `ff2 python prepare` and doctor. */
  detail: string;
}

/**
 * Builds the caches under `dir` unless they are there already. Never throws for a missing
 * package; throws only when `dir` cannot be written.
 */
export async function prepareCaches(python: string, dir: string, force = false): Promise<PreparedCaches> {
  const mpl = join(dir, 'matplotlib');
  if (!force && (await fontLists(mpl)).length > 0)
    return { matplotlib: mpl, detail: `matplotlib font cache ready in ${mpl}` };
  await mkdir(mpl, { recursive: true, mode: 0o755 });
  const started = performance.now();
  const result = await execa(python, ['-I', '-c', 'import matplotlib.font_manager'], {
    reject: false,
    extendEnv: false,
    env: { LANG: 'C.UTF-8', HOME: dir, MPLCONFIGDIR: mpl, MPLBACKEND: 'Agg' },
    timeout: 120_000,
  });
  const built = await fontLists(mpl);
  if (result.exitCode !== 0 || built.length === 0) {
    const missing = /No module named/.test(String(result.stderr));
    return {
      matplotlib: null,
      detail: missing
        ? 'matplotlib is not installed: no cache needed'
        : `matplotlib's font cache could not be built: ${String(result.stderr).trim().slice(-200)}`,
    };
  }
  for (const name of await readdir(mpl)) await chmod(join(mpl, name), 0o644).catch(() => {});
  const ms = Math.round(performance.now() - started);
  return { matplotlib: mpl, detail: `built matplotlib's font cache in ${ms} ms (${mpl})` };
}

/** Copies the prepared matplotlib cache into `dest` (a folder every slot UID can read). */
export async function stageMatplotlibCache(source: string, dest: string): Promise<string | null> {
  const files = await fontLists(source);
  if (files.length === 0) return null;
  await mkdir(dest, { recursive: true, mode: 0o755 });
  for (const name of files) {
    await copyFile(join(source, name), join(dest, name));
    await chmod(join(dest, name), 0o644);
  }
  return dest;
}

async function fontLists(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => /^fontlist-v\d+\.json$/.test(n));
}
