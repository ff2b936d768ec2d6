import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config.js';
import { createEnvironment } from '../src/python/create.js';
import { environmentFingerprint, RunQueue } from '../src/runners/queue.js';
import { RemoteSandbox } from '../src/runners/remote-sandbox.js';
import { createSandbox } from '../src/sandbox/create.js';
import type { Sandbox } from '../src/sandbox/types.js';
import { openPgStore, type PgSessionStore } from '../src/store/pg/store.js';
import { startPostgres } from '../tests/helpers/postgres.js';

/**
 * Sandbox-run throughput as runners are added. Every script sleeps 1 s in the sandbox, so runner
 * slots, not this machine's cores, are the bottleneck. RUNS runs are submitted at once per setup:
 *   local_*    one process, its own sandbox with one slot (the SQLite single-process setup's runs);
 *   pg1_*      one worker + one one-slot `ff2 runner` process, through PostgreSQL;
 *   pg3_*      three workers + three one-slot runners. The three workers are three store
 *              connections (each its own pg worker thread) in this process, taking turns to submit
 *              runs (not three whole `ff2 serve` processes with a chat front door).
 * `*_runs_per_s` and `*_p99_ms` (submit → result of one run, queueing included); scale_ratio =
 * pg3 / pg1 runs/s (≥ 2.5 expected). Needs root, bubblewrap and PostgreSQL 15's binaries.
 */
const RUNS = 12;
const SCRIPT = 'import time\ntime.sleep(1)\nprint("ok")\n';
const CLI = join(import.meta.dirname, '../src/cli.ts');

async function measure(sandboxes: Sandbox[]): Promise<{ perS: number; p99: number }> {
  const started = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: RUNS }, async (_, i) => {
      const t0 = performance.now();
      const result = await sandboxes[i % sandboxes.length]!.run({ script: SCRIPT });
      if (result.status !== 'ok') throw new Error(`bench run failed: ${result.status} ${result.stderr}`);
      return performance.now() - t0;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)]!;
  return { perS: Number((RUNS / seconds).toFixed(3)), p99: Math.round(p99) };
}

export async function benchScale(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-scale-'));
  const pg = startPostgres();
  const children: ChildProcess[] = [];
  const stores: PgSessionStore[] = [];
  try {
    const config = loadConfig(
      { FF2_DATA_DIR: join(dir, 'data'), FF2_SANDBOX_SLOTS: '1', FF2_SANDBOX_UID_BASE: '68600' },
      dir,
      { platforms: false },
    );
    const local = createSandbox(config);
    const localFigures = await measure([local]);
    await local.close();

    const url = pg.createDatabase();
    const open = () => {
      const store = openPgStore(url);
      stores.push(store);
      return store;
    };
    const queue = new RunQueue(open());
    const env = environmentFingerprint(await createEnvironment(config).describe());
    const startRunner = async (uidBase: number) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'runner', '--slots', '1'], {
        env: {
          ...process.env,
          FF2_DATABASE_URL: url,
          FF2_DATA_DIR: join(dir, `runner-${uidBase}`),
          FF2_SANDBOX_UID_BASE: String(uidBase),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      const want = children.length;
      while (queue.runners(env).length < want) await sleep(100);
    };
    const remote = (store: PgSessionStore) =>
      new RemoteSandbox({ queue: new RunQueue(store), env, pollMs: 50 });

    await startRunner(68200);
    const one = await measure([remote(open())]);
    await startRunner(68300);
    await startRunner(68400);
    const three = await measure([remote(open()), remote(open()), remote(open())]);
    return {
      runs: RUNS,
      local_runs_per_s: localFigures.perS,
      local_p99_ms: localFigures.p99,
      pg1_runs_per_s: one.perS,
      pg1_p99_ms: one.p99,
      pg3_runs_per_s: three.perS,
      pg3_p99_ms: three.p99,
      scale_ratio: Number((three.perS / one.perS).toFixed(2)),
      note: 'workers submit runs directly (store connections), not through a chat front door',
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(500);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const s of stores) s.close();
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
