/**
 * What a script declares, read by the trusted `describe.py` (parsed with `ast`, never executed):
 * top-level functions with signatures, docstrings and calls, classes, imports and constants.
 */

import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { z } from 'zod';
import { SandboxError } from '../errors.js';
import type { ScriptDescription } from './types.js';

const DESCRIBER = fileURLToPath(new URL('./describe.py', import.meta.url));

const descriptionSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(false) }),
  z.object({
    ok: z.literal(true),
    doc: z.string(),
    functions: z.array(
      z.object({
        name: z.string(),
        params: z.string(),
        returns: z.string(),
        doc: z.string(),
        calls: z.array(z.string()),
      }),
    ),
    classes: z.array(z.object({ name: z.string(), doc: z.string(), methods: z.array(z.string()) })),
    imports: z.array(z.string()),
    constants: z.array(z.string()),
  }),
]);

/** Describes `source` with `python -I describe.py`. @throws SandboxError when Python fails. */
export async function describeScript(
  python: string,
  source: string,
  timeoutMs = 10_000,
): Promise<ScriptDescription> {
  const result = await execa(python, ['-I', DESCRIBER], {
    input: source,
    timeout: timeoutMs,
    reject: false,
    extendEnv: false,
    env: { LANG: 'C.UTF-8' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.exitCode !== 0)
    throw new SandboxError(
      `the Python describer failed: ${String(result.stderr).trim().slice(-300)}`,
      'run ff2 doctor',
    );
  return descriptionSchema.parse(JSON.parse(String(result.stdout)));
}
