import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/**
 * node:util `parseArgs` for a command's arguments: an unknown option or a missing value becomes a
 * UsageError (printed with the command's usage, exit 2).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
