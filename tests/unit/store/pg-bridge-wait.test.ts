import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { waitForFlag } from '../../../src/store/pg/bridge.js';

/**
 * The PostgreSQL store's blocking wait for the worker thread's reply. A notify can arrive late
 * (the worker set the flag for the previous reply, which was read, and notified only afterwards):
 * the next call must keep waiting until its own reply sets the flag.
 */
describe('waitForFlag', () => {
  it('keeps waiting through a wake-up that left the flag unset', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    // Wakes the waiting thread while the flag is still 0 (a late notify), then sets it 300 ms later.
    const helper = new Worker(
      `const { workerData } = require('node:worker_threads');
       const flag = new Int32Array(workerData);
       while (Atomics.notify(flag, 0) === 0) {}
       setTimeout(() => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); }, 300);`,
      { eval: true, workerData: flag.buffer },
    );
    try {
      await once(helper, 'online');
      expect(waitForFlag(flag, Date.now() + 10_000)).toBe(true);
      expect(Atomics.load(flag, 0)).toBe(1);
    } finally {
      await helper.terminate();
    }
  });

  it('gives up at the deadline when the flag is never set', () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    expect(waitForFlag(flag, Date.now() + 50)).toBe(false);
  });
});
