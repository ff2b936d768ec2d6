import { readdir, readFile } from 'node:fs/promises';

/**
 * After the host kills a sandbox, the kernel tears its pid namespace down asynchronously: a few
 * processes (a fork bomb's children) may still be dying when bwrap's exit is reported. Waits
 * until no live (non-zombie) process of `uid` remains, so a slot is reused only once empty.
 * Returns false if some survived `maxMs`.
 */
export async function waitUntilGone(uid: number, maxMs = 3000, sleep = defaultSleep): Promise<boolean> {
  for (let waited = 0; ; waited += 20) {
    if (!(await hasLiveProcess(uid))) return true;
    if (waited >= maxMs) return false;
    await sleep(20);
  }
}

async function hasLiveProcess(uid: number): Promise<boolean> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (/^State:\s+Z/m.test(status)) continue;
    if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid) return true;
  }
  return false;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
