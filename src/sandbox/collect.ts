import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
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
 * Run only after the sandbox is gone, so nothing changes underneath. Synchronous on purpose: the
 * work area is a small tmpfs (RAM) and bounded (entries, depth, bytes), so each call takes
 * microseconds, far less than a trip through the thread pool.
 */
export function collectOutputs(
  root: string,
  limits: CollectLimits,
  unchanged: ReadonlyMap<string, Uint8Array>,
): OutputFile[] {
  const maxEntries = limits.maxEntries ?? 2000;
  const maxDepth = limits.maxDepth ?? 4;
  const candidates: { name: string; path: string; size: number; mtime: number }[] = [];
  let seen = 0;
  const walk = (dir: string, prefix: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const entry of names) {
      if (++seen > maxEntries) return;
      const path = join(dir, entry);
      const name = prefix + entry;
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(path);
      } catch {
        continue;
      }
      if (stat?.isDirectory() && depth < maxDepth) walk(path, `${name}/`, depth + 1);
      else if (stat?.isFile()) candidates.push({ name, path, size: stat.size, mtime: stat.mtimeMs });
    }
  };
  walk(root, '', 0);

  const out: OutputFile[] = [];
  let total = 0;
  for (const c of candidates) {
    if (out.length >= limits.maxFiles) break;
    if (c.size > limits.maxBytes - total) continue;
    const data = readRegular(c.path, limits.maxBytes - total);
    if (!data) continue;
    const before = unchanged.get(c.name);
    if (before && Buffer.compare(Buffer.from(before), data) === 0) continue;
    out.push({ name: c.name, bytes: data.length, data: new Uint8Array(data), modifiedMs: c.mtime });
    total += data.length;
  }
  return out;
}

function readRegular(path: string, max: number): Buffer | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > max) return null;
    const buffer = Buffer.alloc(stat.size);
    const bytesRead = readSync(fd, buffer, 0, stat.size, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
