import type { Limits } from './types.js';

const MIB = 1024 * 1024;

/** The starting limits of SANDBOX.md §1; config supplies the wall timeout and memory. */
export function defaultLimits(base: { timeoutS: number; memoryMb: number }): Limits {
  return {
    timeoutMs: base.timeoutS * 1000,
    memoryMb: base.memoryMb,
    cpuSeconds: 10,
    maxOutputBytes: MIB,
    maxFileBytes: 32 * MIB,
    workDirBytes: 64 * MIB,
    maxProcesses: 64,
    maxOutputFiles: 20,
    maxOutputFilesBytes: 8 * MIB,
  };
}

/** Address space a GUI run needs at least (Xvfb, Tk and ImageMagick share it). */
export const GUI_MIN_MEMORY_MB = 2048;

/** Request limits over the defaults; GUI runs get at least GUI_MIN_MEMORY_MB. */
export function resolveLimits(
  defaults: Limits,
  requested: Partial<Limits> | undefined,
  gui: boolean,
): Limits {
  const limits: Limits = { ...defaults };
  for (const [key, value] of Object.entries(requested ?? {}) as [keyof Limits, number | undefined][]) {
    if (value !== undefined && Number.isFinite(value) && value > 0) limits[key] = value;
  }
  if (gui) limits.memoryMb = Math.max(limits.memoryMb, GUI_MIN_MEMORY_MB);
  return limits;
}

/** prlimit flags: per-process rlimits inherited by everything in the sandbox. */
export function prlimitArgs(limits: Limits): string[] {
  return [
    `--as=${limits.memoryMb * MIB}`,
    // Soft limit sends SIGXCPU (reported as a timeout); the hard limit one second later is SIGKILL.
    `--cpu=${Math.ceil(limits.cpuSeconds)}:${Math.ceil(limits.cpuSeconds) + 1}`,
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.maxFileBytes}`,
    '--nofile=256',
    '--core=0',
  ];
}

/**
 * When faulthandler dumps the stack of a script still running: a moment before the wall kill,
 * leaving time for the dump to reach the pipe.
 */
export function dumpAfterSeconds(timeoutMs: number): number {
  const margin = Math.min(500, timeoutMs * 0.15);
  return Math.max(0.05, (timeoutMs - margin) / 1000);
}

/** When the in-sandbox watchdog ends the run by itself, should the host fail to (it died). */
export function watchdogSeconds(timeoutMs: number): number {
  return timeoutMs / 1000 + 2;
}
