import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { checkScriptEnvironment } from '../../../src/doctor/packages.js';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { defaultLimits } from '../../../src/sandbox/limits.js';
import { runCliCaptured } from '../../fakes/cli.js';
import { buildWheel } from '../../fakes/wheel.js';

/**
 * `ff2 python add/list` against a real venv and pip, offline (a wheel folder built here), and the
 * installed package importable inside the real sandbox; doctor's listing of the environment.
 */
const UID_BASE = 65101;

let home: string;
let venv: string;
let wheels: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'ff2-python-cli-'));
  chmodSync(home, 0o755); // the sandbox's users must reach the venv (mkdtemp makes 0700)
  venv = join(home, 'venv');
  wheels = join(home, 'wheels');
  buildWheel(wheels, 'ff2_tinypkg', '0.3.0', 'def hello():\n    return "hello from tinypkg"\n');
  env = { FF2_DATA_DIR: join(home, 'data'), FF2_PYTHON_VENV: venv };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('ff2 python', { timeout: 180_000 }, () => {
  it('refuses to install without an operator venv, and refuses anything but a requirement', async () => {
    const unset = await runCliCaptured(['python', 'add', 'polars'], { FF2_DATA_DIR: home }, home);
    expect(unset.code).toBe(2);
    expect(unset.err).toContain('FF2_PYTHON_VENV is not set');
    const option = await runCliCaptured(['python', 'add', '--index-url=http://evil/', 'x'], env, home);
    expect(option.code).toBe(2);
    const path = await runCliCaptured(['python', 'add', '../../etc/passwd'], env, home);
    expect(path.code).toBe(2);
    expect(path.err).toContain('is not a package requirement');
  });

  it('adds a package from a local wheel folder into the venv, lists it, and it imports in the sandbox', async () => {
    const add = await runCliCaptured(['python', 'add', 'ff2_tinypkg', '--find-links', wheels], env, home);
    expect(add.code, add.err).toBe(0);
    expect(add.err).toContain('Successfully installed ff2_tinypkg-0.3.0');
    expect(add.out).toContain(`installed into ${venv}; scripts can now import: ff2_tinypkg 0.3.0`);

    const list = await runCliCaptured(['python', 'list', '--json'], env, home);
    expect(list.code).toBe(0);
    const info = JSON.parse(list.out) as {
      executable: string;
      venv: boolean;
      packages: { name: string; version: string | null; location: string }[];
    };
    expect(info.venv).toBe(true);
    expect(info.executable).toBe(join(venv, 'bin', 'python3'));
    expect(info.packages.find((p) => p.name === 'ff2_tinypkg')).toMatchObject({ version: '0.3.0' });
    expect(info.packages.find((p) => p.name === 'pandas')).toBeDefined(); // system site packages stay
    const text = await runCliCaptured(['python', 'list'], env, home);
    expect(text.out).toMatch(/ff2_tinypkg\s+0\.3\.0\s+ff2_tinypkg\s+\[venv\]/);

    const sandbox = new ProcessSandbox({
      python: '/usr/bin/python3',
      venv,
      slots: 1,
      uidBase: UID_BASE,
      limits: defaultLimits({ timeoutS: 20, memoryMb: 1024 }),
    });
    try {
      const result = await sandbox.run({
        script:
          'import sys, ff2_tinypkg, pandas\nprint(ff2_tinypkg.hello(), sys.prefix)\nopen(ff2_tinypkg.__file__, "a")',
      });
      expect(result.stdout).toContain(`hello from tinypkg ${venv}`);
      // The script cannot change the venv (root-owned, and bound read-only).
      expect(['PermissionError', 'OSError']).toContain(result.traceback?.type);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a venv the sandbox users cannot reach, naming the folder and the fix', async () => {
    const hidden = join(home, 'private');
    mkdirSync(join(hidden, 'venv', 'bin'), { recursive: true });
    symlinkSync('/usr/bin/python3', join(hidden, 'venv', 'bin', 'python3'));
    chmodSync(hidden, 0o700);
    const sandbox = new ProcessSandbox({
      python: '/usr/bin/python3',
      venv: join(hidden, 'venv'),
      slots: 1,
      uidBase: UID_BASE + 20,
      limits: defaultLimits({ timeoutS: 20, memoryMb: 1024 }),
    });
    try {
      await expect(sandbox.run({ script: 'print(1)' })).rejects.toMatchObject({
        name: 'SandboxError',
        message: expect.stringContaining(`${hidden} is mode 700`),
        fix: expect.stringContaining(`chmod o+rx ${hidden}`),
      });
    } finally {
      await sandbox.close();
    }
  });

  it('doctor lists the environment with versions and imports each package in the sandbox', async () => {
    const config = loadConfig(env, home);
    const sandbox = new ProcessSandbox({
      python: '/usr/bin/python3',
      venv,
      slots: 1,
      uidBase: UID_BASE + 10,
      limits: defaultLimits({ timeoutS: 20, memoryMb: 1024 }),
    });
    let check: Awaited<ReturnType<typeof checkScriptEnvironment>>;
    try {
      check = await checkScriptEnvironment(config, sandbox);
    } finally {
      await sandbox.close();
    }
    expect(check.ok, check.detail).toBe(true);
    expect(check.detail).toContain(`Python 3.`);
    expect(check.detail).toMatch(/pandas\s+\d+\.\d+/);
    expect(check.detail).toMatch(/matplotlib\s+\d+\.\d+/);
    expect(check.detail).toMatch(/ff2_tinypkg\s+0\.3\.0/);
    expect(check.detail).toMatch(/all \d+ import in the sandbox/);
  });
});
