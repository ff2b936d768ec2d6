/**
 * The execution edge's contracts. `Sandbox.run` never throws for anything the script does:
 * crashes, timeouts, memory and output limits are all values in RunResult. It throws SandboxError
 * only when the sandbox itself cannot run (bubblewrap missing, not root).
 */

export interface Limits {
  /** Wall-clock limit in ms; the whole process tree is killed after it. Default FF2_SANDBOX_TIMEOUT_S. */
  timeoutMs: number;
  /** Address-space limit in MiB (GUI runs get at least 2,048). Default FF2_SANDBOX_MEMORY_MB. */
  memoryMb: number;
  /** CPU seconds per process. Default 10. */
  cpuSeconds: number;
  /** Bytes kept per stream (stdout, stderr); more is cut and reported. Default 1 MiB. */
  maxOutputBytes: number;
  /** Largest single file the script may write. Default 32 MiB. */
  maxFileBytes: number;
  /** Total bytes the work dir may hold. Default 64 MiB. */
  workDirBytes: number;
  /** Processes/threads per run. Default 64. */
  maxProcesses: number;
  /** Output files collected at most (count). Default 20. */
  maxOutputFiles: number;
  /** Output file bytes collected at most (sum). Default 8 MiB. */
  maxOutputFilesBytes: number;
}

export interface RunRequest {
  /** The Python source, written as `main.py` in the work dir. */
  script: string;
  /** Text on stdin; always provided to the script ('' when absent) so input() gets EOF, never hangs. */
  stdin?: string;
  args?: string[];
  /** Files copied into the work dir before the run (plain names, no paths). */
  inputFiles?: Record<string, Uint8Array>;
  limits?: Partial<Limits>;
  /** Run under a private Xvfb and capture the first window as PNG. */
  gui?: boolean;
  signal?: AbortSignal;
}

export type RunStatus = 'ok' | 'error' | 'timeout' | 'memory' | 'output_limit' | 'killed';

export interface TracebackFrame {
  /** As Python printed it; the script is "main.py" (or "/sandbox/main.py"). */
  file: string;
  line: number;
  function: string;
}

export interface Traceback {
  /** Exception type, e.g. "NameError"; "Timeout" for a faulthandler dump on timeout. */
  type: string;
  message: string;
  /** Outermost first, as Python prints them. */
  frames: TracebackFrame[];
}

export interface OutputFile {
  name: string;
  bytes: number;
  data: Uint8Array;
  /** Last modification, epoch ms (orders images newest first); absent from older records. */
  modifiedMs?: number;
}

export interface RunResult {
  status: RunStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Capped at maxOutputBytes and always valid UTF-8. */
  stdout: string;
  stderr: string;
  /** True when stdout or stderr was cut. */
  truncated: boolean;
  traceback: Traceback | null;
  /** Regular files the script created or changed in its work dir (never symlinks), bounded. */
  outputFiles: OutputFile[];
  /** PNG of the first window for GUI runs. */
  screenshot: Uint8Array | null;
}

export interface SandboxCheck {
  ok: boolean;
  detail: string;
  /** A command a person can paste when not ok. */
  fix?: string;
}

export interface Sandbox {
  /** @throws SandboxError only when the sandbox cannot run at all. */
  run(request: RunRequest): Promise<RunResult>;
  /** Whether runs are possible here (runs a trivial script; never throws). */
  check(): Promise<SandboxCheck>;
  /** Releases host resources (work-area mounts). Call once no run is in flight. Optional for fakes. */
  close?(): Promise<void>;
}
