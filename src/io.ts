/** The process's standard streams and environment, as the commands (and anything they call) see them. */
export interface CliIo {
  /** Writes to standard output (command results). */
  out(text: string): void;
  /** Writes to standard error (diagnostics, progress). */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** True when stdout is a terminal (colours, spinners allowed). */
  stdoutIsTTY: boolean;
}
