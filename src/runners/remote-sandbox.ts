/**
 * `ff2 serve --runs=remote`: a Sandbox whose runs execute on `ff2 runner` processes (any machine
 * with bubblewrap) instead of here. `run` enqueues a job for this worker's script environment and
 * polls for its result (one short query per poll; the event loop stays free between polls). A
 * runner that dies mid-run has its job retried once on another runner; a second loss is reported
 * as a SandboxError with the reason, never as something the script did.
 */
import { SandboxError } from '../errors.js';
import type { RunRequest, RunResult, Sandbox, SandboxCheck } from '../sandbox/types.js';
import type { RunQueue } from './queue.js';
import { decodeResult, encodeRequest } from './wire.js';

export interface RemoteSandboxOptions {
  queue: RunQueue;
  /** The script environment's fingerprint (queue.ts): only matching runners take the runs. */
  env: string;
  /** How often a waiting run looks for its result, ms. Default 100. */
  pollMs?: number;
}

export class RemoteSandbox implements Sandbox {
  readonly #o: Required<RemoteSandboxOptions>;

  constructor(options: RemoteSandboxOptions) {
    this.#o = { pollMs: 100, ...options };
  }

  async run(request: RunRequest): Promise<RunResult> {
    const { queue, env, pollMs } = this.#o;
    const id = queue.enqueue(env, encodeRequest(request));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      if (request.signal?.aborted) throw new SandboxError(`remote run ${id} was abandoned (stopped)`);
      queue.reap();
      const job = queue.status(id);
      if (!job) throw new SandboxError(`remote run ${id} disappeared from the queue`);
      if (job.status === 'done' && job.result) return decodeResult(job.result);
      if (job.status === 'failed') {
        throw new SandboxError(
          `remote run failed: ${job.error ?? 'unknown reason'}`,
          'check the ff2 runner processes (ff2 doctor on each runner machine)',
        );
      }
    }
  }

  /** Like ProcessSandbox.health for `ff2 serve`: resource limits are the runners' business. */
  async health(): Promise<{ cgroup: SandboxCheck }> {
    return { cgroup: { ok: true, detail: 'runs go to ff2 runner processes (their cgroups apply)' } };
  }

  async close(): Promise<void> {}

  async check(): Promise<SandboxCheck> {
    const runners = this.#o.queue.runners(this.#o.env);
    if (runners.length === 0) {
      return {
        ok: false,
        detail: `no live ff2 runner provides this script environment (${this.#o.env})`,
        fix: 'start "ff2 runner" on a machine with bubblewrap and the same Python packages',
      };
    }
    const slots = runners.reduce((n, r) => n + r.slots, 0);
    return { ok: true, detail: `${runners.length} runner(s), ${slots} slot(s) for ${this.#o.env}` };
  }
}
