import { describe, expect, it } from 'vitest';
import { BusyError, Semaphore } from '../../../src/ops/semaphore.js';

const later = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('Semaphore', () => {
  it('runs at most `limit` tasks, queues the rest in order with their positions, refuses past the line', async () => {
    const sem = new Semaphore('model', 2, 2);
    const gates = [later(), later(), later(), later()];
    const order: number[] = [];
    const positions: number[] = [];
    const runs = gates.map((g, i) =>
      sem.run(
        async () => {
          order.push(i);
          await g.promise;
        },
        { onQueued: (p) => positions.push(p) },
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    expect(positions).toEqual([1, 2]);
    expect(sem.stat).toEqual({ resource: 'model', limit: 2, active: 2, queued: 2 });
    await expect(sem.run(async () => 1)).rejects.toBeInstanceOf(BusyError);
    for (const g of gates) g.resolve();
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(sem.stat).toMatchObject({ active: 0, queued: 0 });
  });

  it('lets an aborted waiter leave the line', async () => {
    const sem = new Semaphore('sandbox', 1, 5);
    const gate = later();
    const first = sem.run(() => gate.promise);
    const controller = new AbortController();
    const second = sem.run(async () => 'ran', { signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(second).rejects.toThrow('cancelled');
    expect(sem.stat.queued).toBe(0);
    gate.resolve();
    await first;
    expect(await sem.run(async () => 'free')).toBe('free');
  });
});
