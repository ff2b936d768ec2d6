/** The command-line contract: each `ff2 <name>` is one Command in its own file. */
import type { CliIo } from '../io.js';

export type { CliIo };

export interface Command {
  name: string;
  /** One line for `ff2 --help`. */
  summary: string;
  /** Full usage text for `ff2 <name> --help`. */
  usage: string;
  /**
   * Runs the command. Returns the exit code (0 ok, 1 ended without success, 2 usage, 3 environment).
   * @throws UsageError for bad arguments (printed with the usage, exit 2); ConfigError (exit 2).
   */
  run(args: string[], io: CliIo): Promise<number>;
}
