import { SandboxError } from '../errors.js';

/** A held slot: its index and the unprivileged UID the run uses. */
export interface Slot {
  index: number;
  uid: number;
}

/**
 * One unprivileged UID per concurrent run (RLIMIT_NPROC counts per real UID, so runs never
 * share one), and a FIFO queue of waiters when all are busy.
 */
export class SlotPool {
  private readonly free: Slot[];
  private readonly waiters: { resolve: (slot: Slot) => void; reject: (error: unknown) => void }[] = [];

  constructor(count: number, uidBase: number) {
    this.free = Array.from({ length: count }, (_, index) => ({ index, uid: uidBase + index }));
  }

  /** Resolves with a slot when one is free; rejects with the signal's reason when aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new SandboxError('run aborted'));
    const slot = this.free.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (s: Slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject,
      };
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal?.reason ?? new SandboxError('run aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: Slot): void {
    const next = this.waiters.shift();
    if (next) next.resolve(slot);
    else this.free.push(slot);
  }

  /** Runs currently waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }
}
