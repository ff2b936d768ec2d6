/**
 * Starts post-ack work one task per event-loop turn. That work begins with Web API calls and the
 * router's synchronous SQLite writes (dedupe row, new session); a burst of Slack requests would
 * otherwise run all of it back to back while later requests wait to be acked. One task per turn
 * lets Bolt read and ack waiting requests in between. Start order is kept; nothing is dropped.
 */
export class EmitLane {
  readonly #queue: (() => void)[] = [];
  #draining = false;

  /** Runs `task` on a later turn, after the tasks queued before it have started. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(() => {
        task().then(resolve, reject);
      });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.#queue.shift()?.();
      }
    } finally {
      this.#draining = false;
    }
  }
}
