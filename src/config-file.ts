import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { assertOutsideSandbox } from './sandbox/host-paths.js';

/**
 * The variables of `ff2.config.json` in `cwd` (same keys as the environment), or none without
 * that file. It may hold tokens: never where a sandboxed script could read it (a link there counts).
 * @throws ConfigError when it is not a JSON object of values; SandboxError when a sandbox could read it.
 */
export function readConfigFile(cwd: string): Record<string, string> {
  const path = join(cwd, 'ff2.config.json');
  if (!existsSync(path)) return {};
  assertOutsideSandbox({ 'config file': path });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      'ff2.config.json',
      `ff2.config.json is not valid JSON: ${(error as Error).message}`,
    );
  }
  const shape = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).safeParse(raw);
  if (!shape.success) {
    throw new ConfigError(
      'ff2.config.json',
      'ff2.config.json must be an object of VARIABLE: value pairs, e.g. {"FF2_MODEL": "gpt-4o-mini"}',
    );
  }
  return Object.fromEntries(Object.entries(shape.data).map(([k, v]) => [k, String(v)]));
}
