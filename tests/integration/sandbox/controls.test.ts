import { afterAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../../../src/errors.js';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { processesOf, TEST_LIMITS, testSandbox } from './helpers.js';

const UID_BASE = 62101;
const sandbox = testSandbox(UID_BASE);
afterAll(() => sandbox.close());

describe('benign scripts work in the sandbox', () => {
  it('reads stdin and argv', async () => {
    const result = await sandbox.run({
      script: 'import sys\nname = input()\nprint(f"hello {name}", sys.argv[1:])\n',
      stdin: 'Ada\n',
      args: ['--n', '3 4'],
    });
    expect(result).toMatchObject({
      status: 'ok',
      exitCode: 0,
      signal: null,
      truncated: false,
      traceback: null,
    });
    expect(result.stdout).toBe("hello Ada ['--n', '3 4']\n");
  });

  it('returns the files it writes, and sees input files', async () => {
    const result = await sandbox.run({
      script: [
        'import csv, json',
        'rows = list(csv.reader(open("data.csv")))',
        'json.dump({"rows": len(rows)}, open("summary.json", "w"))',
        'import os; os.makedirs("out", exist_ok=True)',
        'open("out/report.txt", "w").write("done")',
      ].join('\n'),
      inputFiles: { 'data.csv': new TextEncoder().encode('a,b\n1,2\n') },
    });
    expect(result.status).toBe('ok');
    expect(result.outputFiles.map((f) => [f.name, f.bytes])).toEqual([
      ['out/report.txt', 4],
      ['summary.json', 11],
    ]);
    expect(Buffer.from(result.outputFiles[1]!.data).toString()).toBe('{"rows": 2}');
  });

  it('bounds the output files it returns by count and total bytes, skipping what does not fit', async () => {
    const result = await sandbox.run({
      script:
        'for i, size in enumerate([600, 600, 100, 10, 10]):\n    open(f"f{i}.bin", "wb").write(b"x" * size)\n',
      limits: { maxOutputFiles: 3, maxOutputFilesBytes: 1000 },
    });
    expect(result.outputFiles.map((f) => [f.name, f.bytes])).toEqual([
      ['f0.bin', 600],
      ['f2.bin', 100],
      ['f3.bin', 10],
    ]);
  });

  it('lets forked children exit normally (the timeout dump does not hang them)', async () => {
    const result = await sandbox.run({
      script:
        'import os, sys\npid = os.fork()\nif pid == 0:\n    sys.exit(3)\nprint(os.waitpid(pid, 0)[1] >> 8)\n',
    });
    expect(result.status).toBe('ok');
    expect(result.stdout).toBe('3\n');
  });

  it('imports csv, json, sqlite3 and tkinter', async () => {
    const result = await sandbox.run({
      script:
        'import csv, json, sqlite3, tkinter\ndb = sqlite3.connect(":memory:")\nprint(db.execute("select 6*7").fetchone()[0])\n',
    });
    expect(result.status).toBe('ok');
    expect(result.stdout.trim()).toBe('42');
  });

  it('reports an exception with its traceback and exit code', async () => {
    const result = await sandbox.run({ script: 'def f(d):\n    return d["k"]\nf({})\n' });
    expect(result).toMatchObject({ status: 'error', exitCode: 1 });
    expect(result.traceback).toEqual({
      type: 'KeyError',
      message: "'k'",
      frames: [
        { file: '/sandbox/main.py', line: 3, function: '<module>' },
        { file: '/sandbox/main.py', line: 2, function: 'f' },
      ],
    });
  });

  it('reports a file over the size limit as an OSError (EFBIG), not a crash of the sandbox', async () => {
    const result = await sandbox.run({
      script: 'open("big.bin", "wb").write(b"x" * (2 * 1024 * 1024))\n',
      limits: { maxFileBytes: 1024 * 1024 },
    });
    expect(result.status).toBe('error');
    expect(result.traceback).toMatchObject({
      type: 'OSError',
      message: expect.stringContaining('[Errno 27]'),
    });
  });

  it('queues runs beyond its slots and runs them all', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        sandbox.run({ script: `import time\ntime.sleep(0.05)\nprint(${i})\n` }),
      ),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(['0', '1', '2', '3', '4']);
    expect(processesOf(UID_BASE, 2)).toEqual([]);
  });

  it('stops a run when its signal aborts, as killed', async () => {
    const controller = new AbortController();
    const running = sandbox.run({ script: 'import time\ntime.sleep(30)\n', signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const result = await running;
    expect(result.status).toBe('killed');
    expect(processesOf(UID_BASE, 2)).toEqual([]);
  });

  it('refuses to run without bubblewrap, with the install command, never on the host', async () => {
    const missing = new ProcessSandbox({
      python: '/usr/bin/python3',
      slots: 1,
      limits: TEST_LIMITS,
      bwrapPath: '/nonexistent/bwrap',
    });
    const error = await missing.run({ script: 'print(1)' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).fix).toContain('apt-get install -y --no-install-recommends bubblewrap');
    const check = await missing.check();
    expect(check).toMatchObject({ ok: false, fix: expect.stringContaining('bubblewrap') });
  });

  it('passes its own check', async () => {
    expect(await sandbox.check()).toMatchObject({ ok: true });
  });
});

describe('between runs', () => {
  it('gives each run an empty work dir, even after a tree too deep to delete file by file', async () => {
    const deep = await sandbox.run({
      script: [
        'import os',
        'open("secret.txt", "w").write("session A")',
        'for _ in range(1500):',
        '    os.mkdir("d" * 200)',
        '    os.chdir("d" * 200)',
        'open("bottom.txt", "w").write("deep")',
      ].join('\n'),
      limits: { timeoutMs: 10_000 },
    });
    expect(deep.status).toBe('ok');
    const next = await Promise.all([
      sandbox.run({ script: 'import os\nprint(sorted(os.listdir(".")))\n' }),
      sandbox.run({ script: 'import os\nprint(sorted(os.listdir(".")))\n' }),
    ]);
    for (const result of next) expect(result.stdout.trim()).toBe("['main.py']");
  });
});
