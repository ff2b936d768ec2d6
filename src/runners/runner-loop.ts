/**
 * The work loop of `ff2 runner`: advertises this runner (slots, script environment) and renews its
 * running jobs every third of the lease; while a slot is free (every pollMs, and as soon as a run
 * ends), claims a job for its environment, runs it in the local bubblewrap sandbox and stores the
 * result. `stop` stops claiming, lets the runs in flight finish and unregisters.
 */
import { SandboxError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/types.js';
import type { RunQueue } from './queue.js';
import { decodeRequest, encodeResult } from './wire.js';

export interface RunnerLoopOptions {
  queue: RunQueue;
  sandbox: Sandbox;
  id: string;
  env: string;
  slots: number;
  /** A job is retried elsewhere when this runner has not renewed it for this long. Default 15,000 ms. */
  leaseMs?: number;
  /** How often free slots look for work, ms. Default 200. */
  pollMs?: number;
  logger?: Logger;
}

export class RunnerLoop {
  readonly #o: RunnerLoopOptions & { leaseMs: number; pollMs: number };
  readonly #inFlight = new Set<Promise<void>>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #stopping = false;

  constructor(options: RunnerLoopOptions) {
    this.#o = { leaseMs: 15_000, pollMs: 200, ...options };
  }

  get running(): number {
    return this.#inFlight.size;
  }

  start(): void {
    const { queue, id, env, slots, leaseMs, pollMs } = this.#o;
    const beat = () => queue.heartbeat(id, env, slots, { pid: process.pid }, leaseMs);
    beat();
    this.#timers.push(setInterval(() => this.#guard(beat), leaseMs / 3));
    this.#timers.push(setInterval(() => this.#guard(() => this.#fill()), pollMs));
    this.#fill();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await Promise.allSettled([...this.#inFlight]);
    this.#o.queue.retire(this.#o.id);
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#o.logger?.error('runner: database call failed', { error: String(error) });
    }
  }

  #fill(): void {
    const { queue, id, env, slots, leaseMs } = this.#o;
    if (this.#stopping) return;
    queue.reap();
    while (this.#inFlight.size < slots) {
      const job = queue.claim(id, env, leaseMs);
      if (!job) return;
      const run = this.#run(job.id, job.request).finally(() => {
        this.#inFlight.delete(run);
        // The freed slot takes the next queued job now, not at the next poll: a one-slot runner
        // would otherwise idle up to pollMs between back-to-back runs.
        this.#guard(() => this.#fill());
      });
      this.#inFlight.add(run);
    }
  }

  async #run(jobId: number, request: string): Promise<void> {
    const { queue, sandbox, id, logger } = this.#o;
    try {
      const result = await sandbox.run(decodeRequest(request));
      if (!queue.finish(id, jobId, encodeResult(result))) {
        logger?.warn('runner: the job was given to another runner meanwhile; result dropped', { jobId });
      }
    } catch (error) {
      const reason = error instanceof SandboxError ? error.message : `runner error: ${String(error)}`;
      this.#guard(() => queue.fail(id, jobId, `${reason} (runner ${id})`));
    }
  }
}
