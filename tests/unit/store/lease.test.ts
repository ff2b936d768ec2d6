import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseHeldError } from '../../../src/errors.js';
import { holderIsDead, newHolderId, parseHolderId, processStartTime } from '../../../src/store/lease.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';

function sleeper() {
  const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
  return child;
}
async function gone(child: ReturnType<typeof sleeper>): Promise<void> {
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

let store: SqliteSessionStore | undefined;
afterEach(() => store?.close());

describe('the serving lease holder', () => {
  it('records host, pid and the process start time', () => {
    const id = newHolderId(process.pid);
    const parsed = parseHolderId(id)!;
    expect(parsed).toEqual({ host: hostname(), pid: process.pid, start: processStartTime(process.pid) });
    expect(parsed.start).toMatch(/^\d+$/);
  });

  it('is dead when its pid is gone, alive while it runs, and dead when the pid now has another start time', async () => {
    const child = sleeper();
    const id = newHolderId(child.pid!);
    expect(holderIsDead(id)).toBe(false);
    const start = parseHolderId(id)!.start;
    const reused = id.replace(`:${start}:`, `:${Number(start) - 1}:`);
    expect(holderIsDead(reused)).toBe(true);
    await gone(child);
    expect(holderIsDead(id)).toBe(true);
  });

  it('keeps the expiry rule for another host and for ids it cannot read', async () => {
    const child = sleeper();
    const id = newHolderId(child.pid!, 'elsewhere');
    await gone(child);
    expect(holderIsDead(id)).toBe(false);
    expect(holderIsDead('ff2-1234-abcdef')).toBe(false);
  });

  it('is taken over at once from a dead holder and never from a live one', async () => {
    store = openStore(':memory:');
    const live = sleeper();
    const liveId = newHolderId(live.pid!);
    store.acquireLease(liveId, 30_000);
    const me = newHolderId();
    expect(() => store!.acquireLease(me, 30_000, holderIsDead)).toThrow(LeaseHeldError);
    await gone(live);
    expect(store.acquireLease(me, 30_000, holderIsDead)).toBe(liveId);
    // Renewing one's own lease takes nothing over.
    expect(store.acquireLease(me, 30_000, holderIsDead)).toBeUndefined();
  });
});
