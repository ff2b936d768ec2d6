import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { z } from 'zod';
import { SandboxError } from '../errors.js';
import { DESCRIBER_CODE, parseDescription } from './describe.js';
import { type AnalyserLimits, analyserPrlimit, DEFAULT_ANALYSER_LIMITS } from './limits.js';
import type { Analysis, PythonToolchain } from './types.js';

export interface PythonToolchainConfig {
  /** Interpreter, the same one the sandbox runs (default /usr/bin/python3). */
  python: string;
  /** Default 10,000 ms. */
  timeoutMs?: number;
  /** Resource limits and the unprivileged UID; see limits.ts. */
  limits?: Partial<AnalyserLimits>;
}

/** Next to this file both in src/ (tsx, vitest) and in dist/ (copied by scripts/copy-assets.mjs). */
/** The analyser's parts, sent as one program in this order (analyze.py uses analyze_sections.py). */
const ANALYZER = ['./analyze_sections.py', './analyze.py'].map((part) =>
  fileURLToPath(new URL(part, import.meta.url)),
);
const PRLIMIT = '/usr/bin/prlimit';

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
  exits: z.array(z.object({ line: z.number(), message: z.string() })).default([]),
  parsers: z.array(z.number()).default([]),
});

/**
 * Runs the trusted analyser `python3 -I -c <analyze.py>`: the source goes in on stdin, one JSON
 * object comes out. The analysed code is parsed, never executed; still, the parser works on
 * untrusted text, so it runs under prlimit (address space, CPU, no files) and, when ff2 is
 * root, as an unprivileged UID. The analyser's code goes in by argument, so that UID needs no
 * access to ff2's folders.
 */
export function createPythonToolchain(config: PythonToolchainConfig): PythonToolchain {
  const timeout = config.timeoutMs ?? 10_000;
  const limits = { ...DEFAULT_ANALYSER_LIMITS, ...config.limits };
  const code = ANALYZER.map((part) => readFileSync(part, 'utf8')).join('\n');
  const asRoot = process.getuid?.() === 0;
  return {
    describe: async (source: string) => parseDescription(await run(DESCRIBER_CODE, source, 'describer')),
    async analyze(source: string): Promise<Analysis> {
      return analysisSchema.parse(JSON.parse(await run(code, source, 'analyser'))) as Analysis;
    },
  };

  /** Runs trusted Python `program` over untrusted `source` (stdin) under the analyser's limits and UID. */
  async function run(program: string, source: string, what: string): Promise<string> {
    if (!existsSync(config.python)) {
      throw new SandboxError(`Python is not installed at ${config.python}`, 'apt-get install -y python3');
    }
    const python = [config.python, '-I', '-c', program];
    const [file, ...args] = existsSync(PRLIMIT)
      ? [PRLIMIT, ...analyserPrlimit(limits), '--', ...python]
      : python;
    const result = await execa(file!, args, {
      input: source,
      timeout,
      killSignal: 'SIGKILL',
      reject: false,
      extendEnv: false,
      env: { LANG: 'C.UTF-8' },
      cwd: '/',
      maxBuffer: limits.maxOutputBytes,
      ...(asRoot ? { uid: limits.uid, gid: limits.uid } : {}),
    });
    if (result.exitCode !== 0 || result.isMaxBuffer) {
      const why = result.timedOut
        ? `timed out after ${timeout} ms`
        : result.isMaxBuffer
          ? `its output exceeded ${limits.maxOutputBytes} bytes`
          : String(result.stderr).trim().slice(-500) || `it was ended by ${result.signal ?? 'a limit'}`;
      throw new SandboxError(`the Python ${what} failed: ${why}`, 'run ff2 doctor');
    }
    return String(result.stdout);
  }
}
