/**
 * The run-job queue on PostgreSQL, as serving workers and runners use it (store/pg/jobs.ts does
 * the SQL on the store's worker thread). Each call is one synchronous round trip.
 */
import { createHash } from 'node:crypto';
import type { ScriptEnvironmentInfo } from '../python/types.js';
import type { JobStatus, RunnerRow } from '../store/pg/jobs.js';
import type { PgSessionStore } from '../store/pg/store.js';

export class RunQueue {
  readonly #store: PgSessionStore;

  constructor(store: PgSessionStore) {
    this.#store = store;
  }

  enqueue(env: string, request: string): number {
    return this.#store.call('enqueueRun', [env, request]);
  }
  status(id: number): JobStatus | undefined {
    return this.#store.call('runStatus', [id]);
  }
  /** Requeues once, or fails, the jobs of runners that stopped renewing them. */
  reap(): number {
    return this.#store.call('reapRuns', []);
  }
  claim(
    runner: string,
    env: string,
    ttlMs: number,
  ): { id: number; request: string; attempts: number } | undefined {
    return this.#store.call('claimRun', [runner, env, ttlMs]);
  }
  heartbeat(runner: string, env: string, slots: number, info: unknown, ttlMs: number): void {
    this.#store.call('heartbeatRunner', [runner, env, slots, info, ttlMs]);
  }
  finish(runner: string, id: number, result: string): boolean {
    return this.#store.call('finishRun', [runner, id, result]);
  }
  fail(runner: string, id: number, error: string): boolean {
    return this.#store.call('failRun', [runner, id, error]);
  }
  runners(env?: string): RunnerRow[] {
    return this.#store.call('liveRunners', [env ?? null]);
  }
  retire(runner: string): void {
    this.#store.call('retireRunner', [runner]);
  }
}

/**
 * The script environment's fingerprint: Python version and every importable package with its
 * version. A run goes only to runners whose environment has the same fingerprint.
 */
export function environmentFingerprint(info: Pick<ScriptEnvironmentInfo, 'python' | 'packages'>): string {
  const packages = info.packages.map((p) => `${p.name}=${p.version ?? ''}`).sort();
  const text = JSON.stringify({ python: info.python, packages });
  return `py${info.python}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}
