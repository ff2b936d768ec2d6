/** Runs tasks one at a time per key, in order; different keys run in parallel. */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  #active = 0;
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    this.#active++;
    const result = previous.then(task, task).finally(() => {
      this.#active--;
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    const settled = result.catch(() => undefined);
    this.#tails.set(key, settled);
    return result;
  }
  get active(): number {
    return this.#active;
  }
}
