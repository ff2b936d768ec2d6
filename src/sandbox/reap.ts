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

/**
 * Kills processes of `uid` that lost their bot: a live run's processes always descend from the bot,
 * so a slot-UID process whose parent is the host's init (PPid 1) belongs to a bot that died —
 * typically bwrap's half-started child, which would otherwise wait forever for its dead parent.
 * Returns how many were killed.
 */
export async function killOrphans(uid: number): Promise<number> {
  let killed = 0;
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (/^State:\s+Z/m.test(status)) continue;
    if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
    if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== 1) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // Already gone.
    }
  }
  return killed;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
