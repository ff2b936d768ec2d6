import { execa } from 'execa';
import { createToolchain } from '../python/create.js';
import type { DoctorCheck } from './types.js';

const FIX = 'apt-get install -y --no-install-recommends python3 && export FF2_PYTHON=/usr/bin/python3';

/** The interpreter runs and the analyser answers. */
export const pythonCheck: DoctorCheck = {
  name: 'python',
  async run(config) {
    const python = config.sandbox.python;
    const version = await execa(python, ['-I', '-c', 'import sys; print(sys.version.split()[0])'], {
      reject: false,
      extendEnv: false,
      env: {},
      timeout: 10_000,
    }).catch(() => null);
    if (version?.exitCode !== 0) {
      return { name: 'python', ok: false, detail: `FF2_PYTHON=${python} does not run`, fix: FIX };
    }
    try {
      const analysis = await createToolchain(config).analyze('import os\n\ndef f():\n    return os.sep\n');
      const ok = analysis.sections.length === 2 && analysis.imports[0]?.available === true;
      return ok
        ? { name: 'python', ok, detail: `Python ${String(version.stdout).trim()} at ${python}; analyser ok` }
        : {
            name: 'python',
            ok,
            detail: 'the analyser gave an unexpected answer',
            fix: 'reinstall ff2 (dist/python/analyze.py, analyze_sections.py)',
          };
    } catch (error) {
      return { name: 'python', ok: false, detail: (error as Error).message, fix: FIX };
    }
  },
};
