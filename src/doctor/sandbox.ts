import { execa } from 'execa';
import { createSandbox } from '../main.js';
import { GUI_PACKAGES, missingGuiTools } from '../sandbox/gui.js';
import type { DoctorCheck } from './types.js';

/** bubblewrap is installed and a trivial script runs inside the sandbox. */
export const sandboxCheck: DoctorCheck = {
  name: 'sandbox',
  async run(config) {
    const sandbox = createSandbox(config);
    try {
      const check = await sandbox.check();
      return {
        name: 'sandbox',
        ok: check.ok,
        detail: check.detail,
        ...(check.fix ? { fix: check.fix } : {}),
      };
    } finally {
      await sandbox.close();
    }
  },
};

/** Xvfb, xwininfo, ImageMagick's import and tkinter are there for GUI scripts. */
export const guiToolsCheck: DoctorCheck = {
  name: 'gui tools',
  async run(config) {
    const missing = missingGuiTools();
    const tk = await execa(config.sandbox.python, ['-I', '-c', 'import tkinter'], {
      reject: false,
      extendEnv: false,
      env: {},
      timeout: 10_000,
    }).catch(() => null);
    if (tk?.exitCode !== 0) missing.push('tkinter');
    if (missing.length === 0)
      return { name: 'gui tools', ok: true, detail: 'Xvfb, xwininfo, import and tkinter present' };
    return {
      name: 'gui tools',
      ok: false,
      detail: `missing for GUI scripts: ${missing.join(', ')}`,
      fix: `apt-get install -y --no-install-recommends ${GUI_PACKAGES}`,
    };
  },
};
