import { constants } from 'node:os';
import type { RunStatus, Traceback } from './types.js';

export interface Outcome {
  /** The kernel OOM-killed a process of the run's cgroup. */
  oomKilled?: boolean;
  timedOut: boolean;
  canceled: boolean;
  maxBuffer: boolean;
  exitCode: number | null;
  signal: string | null;
  traceback: Traceback | null;
  screenshot: boolean;
}

/**
 * bwrap reports a child killed by signal N as exit 128+N; this recovers the signal name
 * (SIGKILL for exit 137) when the host did not kill the process itself.
 */
export function signalOf(exitCode: number | null, hostSignal: string | null): string | null {
  if (hostSignal) return hostSignal;
  if (exitCode === null || exitCode <= 128 || exitCode > 128 + 64) return null;
  const number = exitCode - 128;
  const entry = Object.entries(constants.signals).find(([, n]) => n === number);
  return entry ? entry[0] : null;
}

/** Raised inside the sandbox at the CPU-time limit (see sandbox_site.py). */
export const CPU_LIMIT_TYPE = 'CpuTimeLimitExceeded';

/** One status per run, most specific first. */
export function classify(o: Outcome): RunStatus {
  if (o.canceled) return 'killed';
  if (o.maxBuffer) return 'output_limit';
  if (o.timedOut) return 'timeout';
  if (o.oomKilled || isMemory(o.traceback)) return 'memory';
  if (o.traceback?.type === CPU_LIMIT_TYPE) return 'timeout';
  if (o.exitCode === 0 && !o.signal) return o.screenshot && o.traceback ? 'error' : 'ok';
  if (o.signal === 'SIGXCPU') return 'timeout';
  if (o.signal && !o.traceback) return 'killed';
  return 'error';
}

function isMemory(tb: Traceback | null): boolean {
  if (!tb) return false;
  if (tb.type === 'MemoryError') return true;
  if (tb.type === 'OSError' && tb.message.includes('[Errno 12]')) return true;
  return tb.type === 'FatalError' && /memory/i.test(tb.message);
}
