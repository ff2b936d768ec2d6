import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/** `[--dry-run] [--json]`, the arguments of `ff2 prune` and `ff2 migrate`. @throws UsageError */
export function parseDryRunJson(args: string[]): { dryRun: boolean; json: boolean } {
  try {
    const { values } = parseArgs({
      args,
      options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
      strict: true,
    });
    return { dryRun: values['dry-run'] ?? false, json: values.json ?? false };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
