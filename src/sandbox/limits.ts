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

/** Per-process rlimits ("name=soft:hard" for the helper) inherited by everything in the sandbox. */
export function rlimitArgs(limits: Limits): string[] {
  const both = (name: string, value: number) => `${name}=${value}:${value}`;
  const cpu = Math.ceil(limits.cpuSeconds);
  return [
    both('as', limits.memoryMb * MIB),
    // Soft limit sends SIGXCPU (reported as a timeout); the hard limit one second later is SIGKILL.
    `cpu=${cpu}:${cpu + 1}`,
    both('nproc', limits.maxProcesses),
    both('fsize', limits.maxFileBytes),
    both('nofile', 256),
    both('core', 0),
  ];
}

/** Inodes (files, directories, links) the work area may hold: enough for real work, far from a million. */
export function workDirInodes(limits: Limits): number {
  return Math.max(1024, Math.min(65_536, Math.floor(limits.workDirBytes / 1024)));
}

/**
 * Memory (bytes) all of a run's processes may use together: one process's address-space limit,
 * plus the tmpfs pages it may fill (work area, /tmp, /dev/shm), plus room for the sandbox itself.
 */
export function runMemoryBytes(limits: Limits): number {
  return limits.memoryMb * MIB + limits.workDirBytes + 80 * MIB + 32 * MIB;
}

/**
 * When faulthandler dumps the stack of a script still running: a moment before the wall kill,
 * leaving time for the dump to reach the pipe.
 */
export function dumpAfterSeconds(timeoutMs: number): number {
  const margin = Math.min(500, timeoutMs * 0.15);
  return Math.max(0.05, (timeoutMs - margin) / 1000);
}
