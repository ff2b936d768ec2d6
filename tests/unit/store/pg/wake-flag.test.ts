import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { waitForFlag } from '../../../../src/store/pg/wake-flag.js';

/**
 * A real second thread plays the PostgreSQL store's worker: first a notify left over from the
 * previous call (it lands while the caller already waits for the next reply), then the reply.
 */
const LATE_NOTIFY_THEN_REPLY = `
  const { workerData } = require('node:worker_threads');
  const flag = new Int32Array(workerData);
  const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  while (Atomics.notify(flag, 0) === 0) pause(1);
  pause(100);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
`;

describe('waitForFlag', () => {
  it('keeps waiting through a stale notify until the flag is raised', async () => {
    const shared = new SharedArrayBuffer(4);
    const flag = new Int32Array(shared);
    const worker = new Worker(LATE_NOTIFY_THEN_REPLY, { eval: true, workerData: shared });
    try {
      expect(waitForFlag(flag, Date.now() + 10_000)).toBe(1);
    } finally {
      await worker.terminate();
    }
  });

  it('returns 0 once the deadline passes with the flag down', () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    expect(waitForFlag(flag, Date.now() + 50)).toBe(0);
  });

  it('returns at once when the reply is already there', () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(flag, 0, 2);
    expect(waitForFlag(flag, Date.now() - 1)).toBe(2);
  });
});
