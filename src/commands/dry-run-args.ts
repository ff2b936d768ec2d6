import { parseCommandArgs } from './args.js';

/** `[--dry-run] [--json]`, the arguments of `ff2 migrate`. @throws UsageError */
export function parseDryRunJson(args: string[]): { dryRun: boolean; json: boolean } {
  const { values } = parseCommandArgs({
    args,
    options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
  });
  return { dryRun: values['dry-run'] ?? false, json: values.json ?? false };
}
