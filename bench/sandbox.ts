/**
 * Sandbox overhead: `python3 -c pass` bare from Node vs a full sandboxed run of the same
 * (slot, fresh work area, rlimits, cgroup, seccomp, bwrap, teardown, output collection),
 * interleaved; the median cost of each step of a run; and throughput through all slots.
 */
import { availableParallelism } from 'node:os';
import { execa } from 'execa';
import { ProcessSandbox, type RunSteps } from '../src/sandbox/bwrap.js';
import { defaultLimits } from '../src/sandbox/limits.js';
import { benchImports } from './sandbox-imports.js';

const ROUNDS = 40;
const PARALLEL_RUNS = 60;

export async function benchSandbox(): Promise<Record<string, number>> {
  const slots = availableParallelism();
  const sandbox = new ProcessSandbox({
    python: '/usr/bin/python3',
    slots,
    limits: defaultLimits({ timeoutS: 15, memoryMb: 1024 }),
  });
  try {
    const bare: number[] = [];
    const boxed: number[] = [];
    const steps: RunSteps[] = [];
    // Warm both paths (page cache, slot mounts), then interleave so drift hits both equally.
    await execa('/usr/bin/python3', ['-c', 'pass']);
    await sandbox.run({ script: 'pass' });
    for (let i = 0; i < ROUNDS; i++) {
      let started = performance.now();
      await execa('/usr/bin/python3', ['-c', 'pass'], { extendEnv: false, env: {} });
      bare.push(performance.now() - started);
      started = performance.now();
      const result = await sandbox.run({ script: 'pass' });
      boxed.push(performance.now() - started);
      if (result.status !== 'ok') throw new Error(`sandboxed run failed: ${result.stderr}`);
      if (sandbox.lastSteps) steps.push(sandbox.lastSteps);
      // The slot's next helper starts in the background after a run (off the run's path); let it
      // finish so it does not slow the next bare measurement and flatter the ratio.
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const started = performance.now();
    await Promise.all(Array.from({ length: PARALLEL_RUNS }, () => sandbox.run({ script: 'pass' })));
    const seconds = (performance.now() - started) / 1000;
    const bareMs = median(bare);
    const sandboxMs = median(boxed);
    const step = (key: keyof RunSteps) => round(median(steps.map((s) => s[key])));
    return {
      bare_ms: round(bareMs),
      sandbox_ms: round(sandboxMs),
      ratio: round(sandboxMs / bareMs),
      parallel_runs_per_s: round(PARALLEL_RUNS / seconds),
      // Where a run's time goes (medians, ms): host-side preparation; fresh tmpfs + inputs; helper
      // start-up and reporting; bwrap + python; ending and reaping the run; output files + result.
      step_prep_ms: step('prep'),
      step_slot_prep_ms: step('slotPrep'),
      step_launch_ms: step('launch'),
      step_sandbox_ms: step('sandbox'),
      step_teardown_ms: step('teardown'),
      step_collect_ms: step('collect'),
      slots,
      ...(await benchImports()),
    };
  } finally {
    await sandbox.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
