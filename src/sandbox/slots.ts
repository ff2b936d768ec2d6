import { SandboxError } from '../errors.js';

/** A held slot: its index and the unprivileged UID the run uses. */
export interface Slot {
  index: number;
  uid: number;
}

/**
 * One unprivileged UID per concurrent run (RLIMIT_NPROC counts per real UID, so runs never
 * share one), and a FIFO queue of waiters when all are busy. A slot that could not be emptied
 * is retired: never handed out again.
 */
export class SlotPool {
  private readonly free: Slot[];
  private live: number;
  private readonly waiters: { resolve: (slot: Slot) => void; reject: (error: unknown) => void }[] = [];

  constructor(uids: readonly number[]) {
    this.free = uids.map((uid, index) => ({ index, uid }));
    this.live = uids.length;
  }

  /** Resolves with a slot when one is free; rejects with the signal's reason when aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new SandboxError('run aborted'));
    if (this.live === 0) return Promise.reject(noSlots());
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

  /** Takes a slot out of use for good; waiters fail once no slot is left. */
  retire(_slot: Slot): void {
    this.live--;
    if (this.live > 0) return;
    for (const waiter of this.waiters.splice(0)) waiter.reject(noSlots());
  }

  /** Runs currently waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Slots still in use (not retired). */
  get usable(): number {
    return this.live;
  }
}

function noSlots(): SandboxError {
  return new SandboxError(
    'every sandbox slot is quarantined (processes that could not be killed)',
    'see ff2 doctor; restart the host if processes are stuck in the kernel',
  );
}
