import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everything, inEverySlot, processesOf, quietFor, testSandbox } from './helpers.js';

const UID_BASE = 62001;
const SLOTS = 2;
/** Every sandbox UID this file could get (taken UIDs are skipped, up to 64 on). */
const WINDOW = 64;
const CANARY = 'ff2-canary-7f3a9c-do-not-leak';
const sandbox = testSandbox(UID_BASE, SLOTS);
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  // Secrets the bot holds in its own environment: no run may ever see them.
  process.env.FF2_TEST_SECRET_TOKEN = CANARY;
  process.env.SLACK_BOT_TOKEN_CANARY = `xoxb-${CANARY}`;
  server = createServer((socket) => {
    connections++;
    socket.end('hello from the host\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  delete process.env.FF2_TEST_SECRET_TOKEN;
  delete process.env.SLACK_BOT_TOKEN_CANARY;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sandbox.close();
});

const run = (
  script: string,
  extra: Parameters<typeof sandbox.run>[0] extends infer R ? Partial<R> : never = {},
) => sandbox.run({ script, ...extra });

describe('hostile scripts are contained', () => {
  it('cannot reach a loopback listener on the host, or resolve names', async () => {
    const result = await run(`
import socket
try:
    s = socket.create_connection(("127.0.0.1", ${port}), timeout=1)
    print("CONNECTED", s.recv(100))
except OSError as e:
    print("connect blocked:", type(e).__name__)
try:
    print("RESOLVED", socket.getaddrinfo("example.com", 80))
except OSError as e:
    print("dns blocked:", type(e).__name__)
`);
    expect(result.status).toBe('ok');
    expect(result.stdout).toContain('connect blocked');
    expect(result.stdout).toContain('dns blocked');
    expect(result.stdout).not.toContain('CONNECTED');
    expect(connections).toBe(0);
  });

  it('cannot read /etc/shadow, /root, the project folder or the bot environment, even through /proc', async () => {
    const result = await run(`
import os, glob
print("ENV", dict(os.environ))
for path in ["/etc/shadow", "/root", "/home", ${JSON.stringify(process.cwd())}, ${JSON.stringify(process.cwd())} + "/package.json"]:
    try:
        if os.path.isdir(path):
            print("LISTED", path, os.listdir(path))
        else:
            print("READ", path, open(path).read()[:200])
    except OSError as e:
        print("denied", path, type(e).__name__)
for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):
    try:
        print("PROC", path, open(path, "rb").read())
    except OSError as e:
        print("denied", path, type(e).__name__)
print("PIDS", [p for p in os.listdir("/proc") if p.isdigit()])
`);
    expect(result.status).toBe('ok');
    for (const secret of [CANARY]) expect(everything(result)).not.toContain(secret);
    expect(result.stdout).not.toContain('READ /etc/shadow');
    expect(result.stdout).not.toContain('LISTED /root');
    expect(result.stdout).not.toContain(`LISTED ${process.cwd()}`);
    expect(result.stdout).toMatch(/ENV \{'PATH': '\/usr\/bin:\/bin', 'HOME': '\/sandbox', 'LANG': 'C.UTF-8'/);
  });

  it('cannot write outside its work dir', async () => {
    const marker = `/tmp/ff2-escape-${process.pid}`;
    rmSync(marker, { force: true });
    const result = await run(`
for path in ["/usr/ff2-x", "/etc/ff2-x", "/ff2-x", ${JSON.stringify(`${process.cwd()}/ff2-x`)}]:
    try:
        open(path, "w").write("x"); print("WROTE", path)
    except OSError as e:
        print("denied", path, type(e).__name__)
open(${JSON.stringify(marker)}, "w").write("private tmp only")
open("ok.txt", "w").write("fine")
`);
    expect(result.status).toBe('ok');
    expect(result.stdout).not.toContain('WROTE');
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${process.cwd()}/ff2-x`)).toBe(false);
    expect(result.outputFiles.map((f) => f.name)).toEqual(['ok.txt']);
  });

  it('survives a fork bomb, and leaves no process behind', async () => {
    const result = await run(
      `
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
`,
      { limits: { timeoutMs: 2000, maxProcesses: 32 } },
    );
    expect(result.status).toBe('timeout');
    expect(processesOf(UID_BASE, WINDOW)).toEqual([]);
  });

  it('reports a memory bomb as memory', async () => {
    const result = await run('x = bytearray(4 * 1024 ** 3)\nprint(len(x))\n');
    expect(result.status).toBe('memory');
    expect(result.traceback?.type).toBe('MemoryError');
  });

  it('stops a CPU spin at the CPU limit, even one that swallows exceptions', async () => {
    const script = [
      'def spin():',
      '    while True:',
      '        try:',
      '            pass',
      '        except Exception:',
      '            pass',
      'spin()',
    ].join('\n');
    // The wall limit is far off so that the CPU limit comes first even on a loaded machine.
    const result = await run(script, { limits: { cpuSeconds: 1, timeoutMs: 10_000 } });
    expect(result.status).toBe('timeout');
    expect(result.traceback).toMatchObject({
      type: 'CpuTimeLimitExceeded',
      message: 'CPU time limit exceeded',
    });
    const frames = result.traceback?.frames.filter((f) => f.file === '/sandbox/main.py');
    expect(frames?.at(-1)).toMatchObject({ function: 'spin' });
  });

  it('kills a script that sleeps forever at the wall limit, with a traceback of where it was', async () => {
    const result = await run('import time\ndef wait():\n    time.sleep(10 ** 6)\nwait()\n', {
      limits: { timeoutMs: 2000 },
    });
    expect(result.status).toBe('timeout');
    expect(result.traceback?.type).toBe('Timeout');
    expect(result.traceback?.frames.at(-1)).toMatchObject({
      file: '/sandbox/main.py',
      line: 3,
      function: 'wait',
    });
    expect(processesOf(UID_BASE, WINDOW)).toEqual([]);
  });

  it('caps 1 GB of output fast, at the byte limit', async () => {
    const result = await run(
      'import sys\nchunk = "x" * 1024 * 1024\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n',
      {
        limits: { maxOutputBytes: 256 * 1024, timeoutMs: 5000 },
      },
    );
    expect(result.status).toBe('output_limit');
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBeLessThanOrEqual(256 * 1024);
    expect(result.stdout.length).toBeGreaterThan(0);
  });

  it('cannot fill the disk: the work dir is size-limited', async () => {
    const result = await run(
      `
import os
written = 0
try:
    for i in range(100):
        with open(f"fill{i}.bin", "wb") as f:
            f.write(os.urandom(1024 * 1024))
        written += 1
except OSError as e:
    print("stopped after", written, "MiB:", e.errno)
`,
      { limits: { workDirBytes: 8 * 1024 * 1024, maxOutputFilesBytes: 1024 * 1024 } },
    );
    expect(result.status).toBe('ok');
    expect(result.stdout).toMatch(/stopped after [0-8] MiB: 28/);
  });

  it('cannot fill the host memory through /dev, /dev/shm, /usr/local or /tmp', async () => {
    const result = await run(
      `
import os
for d in ["/dev", "/dev/shm", "/usr/local", "/tmp"]:
    total = 0
    try:
        for i in range(40):
            with open(f"{d}/fill{i}", "wb") as f:
                f.write(b"x" * (8 * 1024 * 1024))
            total += 8
    except OSError as e:
        pass
    print(d, total)
`,
      { limits: { timeoutMs: 10_000 } },
    );
    expect(result.status).toBe('ok');
    const written = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')),
    );
    expect(Number(written['/dev'])).toBe(0);
    expect(Number(written['/usr/local'])).toBe(0);
    expect(Number(written['/dev/shm'])).toBeLessThanOrEqual(16);
    expect(Number(written['/tmp'])).toBeLessThanOrEqual(64);
  });

  it('still offers shared memory to multiprocessing', async () => {
    const result = await run(
      'import multiprocessing as mp\nif __name__ == "__main__":\n    with mp.Pool(2) as pool:\n        print(pool.map(abs, [-1, -2]))\n',
      { limits: { timeoutMs: 10_000 } },
    );
    expect(result.status).toBe('ok');
    expect(result.stdout.trim()).toBe('[1, 2]');
  });

  it('kills a setsid daemon with the run; none is left, in any slot', async () => {
    // Fully detached (own session, stdio closed), so a sandbox that only waits for the script's
    // output would return while the daemon lives on.
    const daemon = `
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            os.close(fd)
        time.sleep(1)
        open("late.txt", "w").write("daemon survived")
        time.sleep(30)
        os._exit(0)
    os._exit(0)
print("parent done")
`;
    // One daemon per slot (slots alternate): every slot's clean-up is checked.
    for (const started of await inEverySlot(sandbox, SLOTS, daemon)) {
      expect(started.status).toBe('ok');
      expect(started.stdout).toContain('parent done');
    }
    expect(processesOf(UID_BASE, WINDOW)).toEqual([]);
    // Observable: no process of these UIDs appears for longer than the daemon's sleep.
    expect(await quietFor(1500, () => processesOf(UID_BASE, WINDOW).length > 0)).toBe(true);
    for (const next of await inEverySlot(sandbox, SLOTS, 'print(sorted(os.listdir(".")))')) {
      expect(next.status).toBe('ok');
      expect(next.stdout).toContain("['main.py']");
    }
  });

  it('gets EOF from input() with no stdin instead of hanging', async () => {
    const result = await run('name = input("name? ")\n');
    expect(result.status).toBe('error');
    expect(result.traceback?.type).toBe('EOFError');
  });

  it('never returns symlinks (e.g. to /etc/passwd) as output files', async () => {
    const result = await run(`
import os
os.symlink("/etc/passwd", "passwd.txt")
os.symlink("/proc/self/environ", "env.txt")
os.mkdir("sub")
os.symlink("/etc", "sub/etc")
open("real.txt", "w").write("real")
`);
    expect(result.status).toBe('ok');
    expect(result.outputFiles.map((f) => f.name)).toEqual(['real.txt']);
  });

  it('handles 10,000 files: bounded output files, quick cleanup', async () => {
    const result = await run('for i in range(10000):\n    open(f"f{i:05}.txt", "w").write(str(i))\n');
    expect(result.status).toBe('ok');
    expect(result.outputFiles.length).toBe(20);
    for (const next of await inEverySlot(sandbox, SLOTS, 'print("entries", len(os.listdir(".")))'))
      expect(next.stdout).toContain('entries 1');
  });

  it('returns valid UTF-8 for invalid UTF-8 output', async () => {
    const result = await run(
      'import sys\nsys.stdout.buffer.write(b"ok \\xff\\xfe \\xc3")\nsys.stderr.buffer.write(b"\\x80err")\n',
    );
    expect(result.status).toBe('ok');
    expect(result.stdout).toBe('ok \uFFFD\uFFFD \uFFFD');
    expect(Buffer.from(result.stderr, 'utf8').toString('utf8')).toBe(result.stderr);
  });

  it('cannot create nested user namespaces', async () => {
    const result = await run(`
import ctypes, subprocess
libc = ctypes.CDLL(None, use_errno=True)
print("unshare", libc.unshare(0x10000000), ctypes.get_errno())
r = subprocess.run(["/usr/bin/unshare", "-U", "/usr/bin/id"], capture_output=True, text=True)
print("unshare-cmd", r.returncode)
`);
    expect(result.status).toBe('ok');
    expect(result.stdout).toMatch(/^unshare -1 \d+$/m);
    expect(result.stdout).toMatch(/^unshare-cmd [1-9]\d*$/m);
  });

  it('leaves no process behind after all of the above', () => {
    expect(processesOf(UID_BASE, WINDOW)).toEqual([]);
  });
});
