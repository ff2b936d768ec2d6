import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFile } from './types.js';

export interface CollectLimits {
  /** Files returned at most. */
  maxFiles: number;
  /** Bytes returned at most, summed over files; a file that does not fit is skipped. */
  maxBytes: number;
  /** Directory entries looked at at most (a script may create 10,000 files). */
  maxEntries?: number;
  /** Subdirectory depth searched. */
  maxDepth?: number;
}

/**
 * Regular files the script left in its work dir, by relative path, sorted. Symlinks, devices,
 * fifos and sockets are never opened (lstat, then O_NOFOLLOW and an fstat re-check). `unchanged`
 * maps names the host wrote itself (main.py, inputs) to their content: identical ones are skipped.
 * Run only after the sandbox is gone, so nothing changes underneath.
 */
export async function collectOutputs(
  root: string,
  limits: CollectLimits,
  unchanged: ReadonlyMap<string, Uint8Array>,
): Promise<OutputFile[]> {
  const maxEntries = limits.maxEntries ?? 2000;
  const maxDepth = limits.maxDepth ?? 4;
  const candidates: { name: string; path: string; size: number; mtime: number }[] = [];
  let seen = 0;
  const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      return;
    }
    for (const entry of names) {
      if (++seen > maxEntries) return;
      const path = join(dir, entry);
      const name = prefix + entry;
      const stat = await lstat(path).catch(() => null);
      if (!stat) continue;
      if (stat.isDirectory() && depth < maxDepth) await walk(path, `${name}/`, depth + 1);
      else if (stat.isFile()) candidates.push({ name, path, size: stat.size, mtime: stat.mtimeMs });
    }
  };
  await walk(root, '', 0);

  const out: OutputFile[] = [];
  let total = 0;
  for (const c of candidates) {
    if (out.length >= limits.maxFiles) break;
    if (c.size > limits.maxBytes - total) continue;
    const data = await readRegular(c.path, limits.maxBytes - total);
    if (!data) continue;
    const before = unchanged.get(c.name);
    if (before && Buffer.compare(Buffer.from(before), data) === 0) continue;
    out.push({ name: c.name, bytes: data.length, data: new Uint8Array(data), modifiedMs: c.mtime });
    total += data.length;
  }
  return out;
}

async function readRegular(path: string, max: number): Promise<Buffer | null> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > max) return null;
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, stat.size, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
