import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { z } from 'zod';
import { SandboxError } from '../errors.js';
import { describeScript } from './describe.js';
import type { Analysis, PythonToolchain } from './types.js';

export interface PythonToolchainConfig {
  /** Interpreter, the same one the sandbox runs (default /usr/bin/python3). */
  python: string;
  /** Default 10,000 ms. */
  timeoutMs?: number;
}

/** Next to this file both in src/ (tsx, vitest) and in dist/ (copied by scripts/copy-assets.mjs). */
const ANALYZER = fileURLToPath(new URL('./analyze.py', import.meta.url));

const analysisSchema = z.object({
  syntaxError: z.object({ line: z.number(), col: z.number(), message: z.string() }).nullable(),
  sections: z.array(
    z.object({
      kind: z.enum(['imports', 'globals', 'function', 'class', 'main']),
      name: z.string(),
      startLine: z.number(),
      endLine: z.number(),
    }),
  ),
  undefinedNames: z.array(
    z.object({
      name: z.string(),
      line: z.number(),
      attribute: z.boolean().optional(),
      called: z.boolean().optional(),
    }),
  ),
  duplicates: z.array(z.string()),
  placeholders: z.array(
    z.object({
      name: z.string(),
      line: z.number(),
      kind: z.enum(['pass', 'ellipsis', 'not_implemented', 'todo']),
    }),
  ),
  imports: z.array(z.object({ module: z.string(), line: z.number(), available: z.boolean() })),
});

/**
 * Runs the trusted analyser `python3 -I analyze.py`: the source goes in on stdin, one JSON object
 * comes out. The analysed code is parsed, never executed, so no sandbox is needed.
 */
export function createPythonToolchain(config: PythonToolchainConfig): PythonToolchain {
  const timeout = config.timeoutMs ?? 10_000;
  return {
    describe: (source: string) => describeScript(config.python, source, timeout),
    async analyze(source: string): Promise<Analysis> {
      if (!existsSync(config.python)) {
        throw new SandboxError(`Python is not installed at ${config.python}`, 'apt-get install -y python3');
      }
      const result = await execa(config.python, ['-I', ANALYZER], {
        input: source,
        timeout,
        reject: false,
        extendEnv: false,
        env: { LANG: 'C.UTF-8' },
        maxBuffer: 64 * 1024 * 1024,
      });
      if (result.exitCode !== 0) {
        const why = result.timedOut
          ? `timed out after ${timeout} ms`
          : String(result.stderr).trim().slice(-500);
        throw new SandboxError(`the Python analyser failed: ${why}`, 'run ff2 doctor');
      }
      return analysisSchema.parse(JSON.parse(String(result.stdout))) as Analysis;
    },
  };
}
