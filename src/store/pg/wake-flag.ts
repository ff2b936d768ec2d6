/**
 * The shared flag the PostgreSQL store's worker thread raises when a reply is posted (worker.ts):
 * 0 while the call runs, 1 when the reply is on the port, 2 when the worker could not start.
 */

/**
 * Blocks until `flag[0]` is no longer 0 or `deadline` (ms since epoch) passes; returns its value
 * (0: the deadline passed). Only the value counts, never how `Atomics.wait` returned: the worker
 * raises the flag and then notifies, so a notify meant for the previous call can arrive after
 * the next call began and wake this wait while its reply is not there yet.
 */
export function waitForFlag(flag: Int32Array, deadline: number): number {
  for (;;) {
    const value = Atomics.load(flag, 0);
    if (value !== 0) return value;
    const left = deadline - Date.now();
    if (left <= 0) return 0;
    Atomics.wait(flag, 0, 0, Math.min(left, 1000));
  }
}
