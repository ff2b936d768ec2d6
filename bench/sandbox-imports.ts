/**
 * First-import cost of the script environment's heavy packages inside the sandbox: each run is a
 * fresh interpreter, so every import measured here is a script's first. matplotlib is measured
 * with the font cache prepared outside the run (as ff2 runs it) and without (what every run
 * would pay otherwise).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessSandbox } from '../src/sandbox/bwrap.js';
import { defaultLimits } from '../src/sandbox/limits.js';

const ROUNDS = 5;
const UID_BASE = 65301;

const TIMED = (module: string) =>
  `import time\nstarted = time.perf_counter()\nimport ${module}\nprint((time.perf_counter() - started) * 1000)`;

export async function benchImports(): Promise<Record<string, number>> {
  const cache = mkdtempSync(join(tmpdir(), 'ff2-bench-cache-'));
  const limits = { ...defaultLimits({ timeoutS: 60, memoryMb: 1024 }), cpuSeconds: 60 };
  const prepared = new ProcessSandbox({
    python: '/usr/bin/python3',
    slots: 1,
    uidBase: UID_BASE,
    cacheDir: cache,
    limits,
  });
  const bare = new ProcessSandbox({ python: '/usr/bin/python3', slots: 1, uidBase: UID_BASE + 10, limits });
  try {
    // A plotting script makes the sandbox build its font cache once, outside any measured run.
    await prepared.run({ script: 'import matplotlib' });
    return {
      pandas_first_import_ms: await timed(prepared, 'pandas'),
      matplotlib_first_import_ms: await timed(prepared, 'matplotlib.pyplot'),
      matplotlib_first_import_uncached_ms: await timed(bare, 'matplotlib.pyplot'),
    };
  } finally {
    await prepared.close();
    await bare.close();
    rmSync(cache, { recursive: true, force: true });
  }
}

async function timed(sandbox: ProcessSandbox, module: string): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const result = await sandbox.run({ script: TIMED(module) });
    if (result.status !== 'ok') throw new Error(`import ${module} failed: ${result.stderr.slice(-300)}`);
    values.push(Number(result.stdout.trim()));
  }
  values.sort((a, b) => a - b);
  return Math.round(values[Math.floor(values.length / 2)]! * 10) / 10;
}
