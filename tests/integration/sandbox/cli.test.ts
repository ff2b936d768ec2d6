import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import type { CliIo } from '../../../src/commands/types.js';

const dir = mkdtempSync(join(tmpdir(), 'ff2-cli-sandbox-'));
mkdirSync(join(dir, 'data'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({}, ...argv);
}

async function cliWith(
  extraEnv: Record<string, string>,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: {
      FF2_DATA_DIR: join(dir, 'data'),
      FF2_SANDBOX_TIMEOUT_S: '5',
      FF2_LOG_LEVEL: 'silent',
      ...extraEnv,
    },
    cwd: dir,
    stdin: new PassThrough(),
    stdoutIsTTY: false,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const RUN_KEYS = [
  'status',
  'exitCode',
  'signal',
  'durationMs',
  'stdout',
  'stderr',
  'truncated',
  'traceback',
  'fixTarget',
  'outputFiles',
  'screenshot',
];

describe('ff2 sandbox run', () => {
  it('prints exactly the documented JSON, with traceback and fix target, and exits 0 for a failing script', async () => {
    write(
      'fail.py',
      'import sys\n\ndef compute(x):\n    return 1 / x\n\ndef main():\n    open("out.txt", "w").write(sys.stdin.read() + sys.argv[1])\n    compute(0)\n\nif __name__ == "__main__":\n    main()\n',
    );
    write('in.txt', 'from stdin ');
    const { code, out } = await cli(
      'sandbox',
      'run',
      'fail.py',
      '--stdin',
      'in.txt',
      '--arg',
      'argv!',
      '--json',
    );
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual(RUN_KEYS);
    expect(report).toMatchObject({
      status: 'error',
      exitCode: 1,
      signal: null,
      truncated: false,
      screenshot: null,
    });
    expect(Object.keys(report.traceback)).toEqual(['type', 'message', 'frames']);
    expect(Object.keys(report.traceback.frames[0])).toEqual(['file', 'line', 'function']);
    expect(report.traceback.type).toBe('ZeroDivisionError');
    expect(Object.keys(report.fixTarget)).toEqual(['kind', 'name', 'reason']);
    expect(report.fixTarget).toMatchObject({ kind: 'function', name: 'compute' });
    expect(report.outputFiles).toEqual([{ name: 'out.txt', bytes: 16 }]);
  });

  it('copies --input files in and reports a clean run with null traceback and fix target', async () => {
    write('ok.py', 'print(open("numbers.txt").read().split())\n');
    write('numbers.txt', '1 2 3');
    const { code, out } = await cli('sandbox', 'run', 'ok.py', '--input', 'numbers.txt', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({
      status: 'ok',
      exitCode: 0,
      traceback: null,
      fixTarget: null,
      outputFiles: [],
    });
    expect(report.stdout).toBe("['1', '2', '3']\n");
  });

  it('honours --timeout and targets the stuck function', async () => {
    write('stuck.py', 'def spin():\n    while True:\n        pass\n\nspin()\n');
    const { out } = await cli('sandbox', 'run', 'stuck.py', '--timeout', '3', '--json');
    const report = JSON.parse(out);
    expect(report.status).toBe('timeout');
    expect(report.fixTarget).toMatchObject({ kind: 'function', name: 'spin' });
  });

  it('saves the GUI screenshot under FF2_DATA_DIR/screenshots and prints its path', async () => {
    write(
      'window.py',
      'import tkinter as tk\nroot = tk.Tk()\ntk.Label(root, text="hi").pack()\nroot.mainloop()\n',
    );
    // A wall limit far above the ~1 s this takes, so a busy machine (Xvfb start-up) cannot fail it.
    const { code, out } = await cli('sandbox', 'run', 'window.py', '--gui', '--timeout', '30', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.status).toBe('ok');
    expect(report.screenshot).toMatch(new RegExp(`^${join(dir, 'data', 'screenshots')}/window-.*\\.png$`));
    expect(existsSync(report.screenshot)).toBe(true);
    expect(readFileSync(report.screenshot).subarray(1, 4).toString()).toBe('PNG');
  });

  it('prints a readable summary without --json', async () => {
    const { code, out } = await cli('sandbox', 'run', 'fail.py', '--arg', 'x');
    expect(code).toBe(0);
    expect(out).toContain('status: error (exit 1)');
    expect(out).toContain('fix target: function compute');
  });

  it('exits 3 with a fix when the sandbox cannot run here', async () => {
    const { code, out, err } = await cliWith(
      { FF2_PYTHON: '/usr/bin/python-not-installed' },
      'sandbox',
      'run',
      'ok.py',
      '--json',
    );
    expect(code).toBe(3);
    expect(out).toBe('');
    expect(err).toContain('Fix: apt-get install -y python3');
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('sandbox', 'run')).code).toBe(2);
    expect((await cli('sandbox', 'go', 'ok.py')).code).toBe(2);
    expect((await cli('sandbox', 'run', 'missing.py')).code).toBe(2);
    expect((await cli('sandbox', 'run', 'ok.py', '--timeout', 'soon')).code).toBe(2);
  });
});

describe('ff2 analyze', () => {
  it('prints exactly the documented JSON shape', async () => {
    write(
      'an.py',
      'import json\nimport not_a_module\n\ndef todo():\n    pass\n\ndef main():\n    print(json.dumps(missing))\n\nif __name__ == "__main__":\n    main()\n',
    );
    const { code, out } = await cli('analyze', 'an.py', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual([
      'syntaxError',
      'sections',
      'undefinedNames',
      'duplicates',
      'placeholders',
      'imports',
    ]);
    expect(report.syntaxError).toBeNull();
    expect(report.sections).toEqual([
      { kind: 'imports', name: 'imports', startLine: 1, endLine: 2 },
      { kind: 'function', name: 'todo', startLine: 4, endLine: 5 },
      { kind: 'main', name: 'main', startLine: 7, endLine: 11 },
    ]);
    expect(report.undefinedNames).toEqual([{ name: 'missing', line: 8 }]);
    expect(report.duplicates).toEqual([]);
    expect(report.placeholders).toEqual([{ name: 'todo', line: 4, kind: 'pass' }]);
    expect(report.imports).toEqual([
      { module: 'json', line: 1, available: true },
      { module: 'not_a_module', line: 2, available: false },
    ]);
  });

  it('reports a syntax error with line, col and message', async () => {
    write('bad.py', 'def f(:\n    pass\n');
    const report = JSON.parse((await cli('analyze', 'bad.py', '--json')).out);
    expect(Object.keys(report.syntaxError)).toEqual(['line', 'col', 'message']);
    expect(report.syntaxError.line).toBe(1);
  });

  it('exits 2 without a script', async () => {
    expect((await cli('analyze')).code).toBe(2);
  });
});
