/**
 * A counting semaphore with a bounded wait line: at most `limit` holders, at most `maxQueued`
 * waiters; one more is refused with BusyError instead of growing memory. Waiters are served in
 * arrival order; an aborted waiter leaves the line.
 */
import { AppError } from '../errors.js';

/** The wait line of a bounded resource is full. `position` is where the caller would have stood. */
export class BusyError extends AppError {
  constructor(
    readonly resource: string,
    readonly position: number,
  ) {
    super('busy', `${resource} is busy: ${position - 1} requests are already waiting`);
  }
}

export interface QueueStat {
  resource: string;
  limit: number;
  active: number;
  queued: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class Semaphore {
  #active = 0;
  readonly #line: Waiter[] = [];

  constructor(
    readonly resource: string,
    readonly limit: number,
    readonly maxQueued: number,
  ) {
    if (limit < 1) throw new RangeError('limit must be at least 1');
  }

  get stat(): QueueStat {
    return { resource: this.resource, limit: this.limit, active: this.#active, queued: this.#line.length };
  }

  /**
   * Runs `task` once a slot is free. `onQueued(position)` is called when the caller has to wait
   * (1 = next in line).
   * @throws BusyError when the wait line is full; the signal's reason when aborted while waiting.
   */
  async run<T>(
    task: () => Promise<T>,
    options: { signal?: AbortSignal; onQueued?: (position: number) => void } = {},
  ): Promise<T> {
    await this.#acquire(options);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  async #acquire({
    signal,
    onQueued,
  }: {
    signal?: AbortSignal;
    onQueued?: (position: number) => void;
  }): Promise<void> {
    signal?.throwIfAborted();
    if (this.#active < this.limit && this.#line.length === 0) {
      this.#active++;
      return;
    }
    if (this.#line.length >= this.maxQueued) throw new BusyError(this.resource, this.#line.length + 1);
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const at = this.#line.indexOf(waiter);
        if (at >= 0) this.#line.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#line.push(waiter);
      onQueued?.(this.#line.length);
    });
  }

  #release(): void {
    const next = this.#line.shift();
    if (next) next.resolve();
    else this.#active--;
  }
}
