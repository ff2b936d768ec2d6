/**
 * What a script declares, read by the trusted `describe.py` (parsed with `ast`, never executed):
 * top-level functions with signatures, docstrings and calls, classes, imports and constants.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
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

/** The describer's source, run like the analyser (limited, as its own UID; see toolchain.ts). */
export const DESCRIBER_CODE = readFileSync(DESCRIBER, 'utf8');

/** Parses the describer's JSON answer. */
export function parseDescription(stdout: string): ScriptDescription {
  return descriptionSchema.parse(JSON.parse(stdout));
}
