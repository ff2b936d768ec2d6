/**
 * Limits for the analyser (`analyze.py`): it only parses, but what it parses is model or user
 * text, so it runs like untrusted code that happens to be ours: an unprivileged UID, bounded
 * address space, CPU time and output, no files written, no core dumps.
 */
export interface AnalyserLimits {
  /** The UID (and GID) it runs as when ff2 is root; ignored otherwise. */
  uid: number;
  memoryMb: number;
  cpuSeconds: number;
  /** Bytes of JSON read back at most; more fails the analysis. */
  maxOutputBytes: number;
}

export const DEFAULT_ANALYSER_LIMITS: AnalyserLimits = {
  uid: 61000,
  memoryMb: 768,
  cpuSeconds: 10,
  maxOutputBytes: 8 * 1024 * 1024,
};

/** prlimit(1) flags for the analyser process. */
export function analyserPrlimit(limits: AnalyserLimits): string[] {
  const cpu = Math.ceil(limits.cpuSeconds);
  return [
    `--as=${limits.memoryMb * 1024 * 1024}`,
    `--cpu=${cpu}:${cpu + 1}`,
    '--fsize=0',
    '--core=0',
    '--nofile=64',
  ];
}
