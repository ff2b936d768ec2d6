import { arch } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { processesOf, testSandbox } from './helpers.js';

const UID_BASE = 63100;
const sandbox = testSandbox(UID_BASE, 2);
afterAll(() => sandbox.close());

/**
 * Each denied call with arguments for which the kernel itself would answer something other than
 * EPERM (a result, EBADF, EFAULT, ENOSPC…) wherever it can, so that only the filter explains
 * EPERM. x86_64 syscall numbers.
 */
const CALLS: Record<string, string> = {
  keyctl: 'sc(250, 0, -3, 0)', // KEYCTL_GET_KEYRING_ID of the session keyring: an id without the filter
  add_key: 'sc(248, b"user", b"ff2", b"secret", 6, -2)',
  request_key: 'sc(249, b"user", b"ff2-none", None, 0)',
  io_uring_setup: 'sc(425, 1, ctypes.byref(ctypes.create_string_buffer(120)))', // a ring fd without it
  io_uring_enter: 'sc(426, -1, 0, 0, 0, None, 0)', // EBADF without it
  io_uring_register: 'sc(427, -1, 0, None, 0)', // EBADF without it
  userfaultfd: 'sc(323, 1)', // UFFD_USER_MODE_ONLY: an fd without it
  bpf: 'sc(321, 0, None, 0)',
  perf_event_open: 'sc(298, None, 0, -1, -1, 0)', // EFAULT without it
  ptrace: 'sc(101, 0, 0, 0, 0)', // PTRACE_TRACEME: 0 without it
  process_vm_readv: 'sc(310, os.getpid(), None, 0, None, 0, 0)', // 0 without it
  process_vm_writev: 'sc(311, os.getpid(), None, 0, None, 0, 0)',
  kexec_load: 'sc(246, 0, 0, None, 0)',
  kexec_file_load: 'sc(320, -1, -1, 0, None, 0)',
  init_module: 'sc(175, None, 0, b"")',
  finit_module: 'sc(313, -1, b"", 0)',
  delete_module: 'sc(176, b"ff2", 0)',
  mount: 'sc(165, b"none", b"/tmp", b"tmpfs", 0, None)',
  umount2: 'sc(166, b"/tmp", 0)',
  pivot_root: 'sc(155, b"/tmp", b"/tmp")',
  open_tree: 'sc(428, -100, b"/tmp", 0)',
  fsopen: 'sc(430, b"tmpfs", 0)',
  'unshare(CLONE_NEWUSER)': 'sc(272, 0x10000000)', // ENOSPC without it (--disable-userns)
  'unshare(CLONE_NEWNS)': 'sc(272, 0x00020000)',
  'setns(-1)': 'sc(308, -1, 0)', // EBADF without it
  'clone(CLONE_NEWUSER)': 'forked(sc(56, 0x10000000 | 17, 0, None, None, 0))',
  'personality(ADDR_NO_RANDOMIZE)': 'sc(135, 0x0040000)', // the old persona without it
  'personality(READ_IMPLIES_EXEC)': 'sc(135, 0x0400000)',
  'ioctl(TIOCSTI)': 'sc(16, 0, 0x5412, ctypes.c_char_p(b"x"))', // ENOTTY without it (stdin is a socket)
};

const PROBE = `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def sc(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(nr, *args)
    return "EPERM" if r == -1 and ctypes.get_errno() == 1 else f"result {r} errno {ctypes.get_errno()}"
def forked(r):
    if r.startswith("result 0 "):
        os._exit(0)
    return r
calls = {${Object.entries(CALLS)
  .map(([name, call]) => `${JSON.stringify(name)}: lambda: ${call}`)
  .join(', ')}}
for name, call in calls.items():
    print(name, "=>", call())
print("clone3 =>", sc(435, None, 0))
print("personality(query) =>", sc(135, 0xffffffff))
print("personality(0) =>", sc(135, 0))
`;

describe.runIf(arch() === 'x64')('the seccomp filter', () => {
  it('denies each listed call with EPERM (and clone3 with ENOSYS, so libc falls back to clone)', async () => {
    const result = await sandbox.run({ script: PROBE, limits: { timeoutMs: 10_000 } });
    expect(result.status, result.stderr).toBe('ok');
    const answers = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' => ')),
    );
    for (const name of Object.keys(CALLS)) expect([name, answers[name]]).toEqual([name, 'EPERM']);
    expect(answers.clone3).toMatch(/^result -1 errno 38$/);
    expect(answers['personality(query)']).toMatch(/^result \d+ errno 0$/);
    expect(answers['personality(0)']).toMatch(/^result \d+ errno 0$/);
    expect(processesOf(UID_BASE, 2)).toEqual([]);
  });

  it('leaves ordinary Python working: threads, subprocess, multiprocessing, sqlite3', async () => {
    const result = await sandbox.run({
      script: `
import multiprocessing as mp, sqlite3, subprocess, threading
def square(x):
    return x * x
if __name__ == "__main__":
    out = []
    threads = [threading.Thread(target=lambda i=i: out.append(i)) for i in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("threads", sorted(out))
    print("subprocess", subprocess.run(["/usr/bin/echo", "hi"], capture_output=True, text=True).stdout.strip())
    with mp.Pool(2) as pool:
        print("pool", pool.map(square, [1, 2, 3]))
    p = mp.Process(target=print, args=("process",))
    p.start(); p.join()
    db = sqlite3.connect("data.db")
    db.execute("create table t (x)"); db.execute("insert into t values (42)"); db.commit()
    print("sqlite", db.execute("select x from t").fetchone()[0])
`,
      limits: { timeoutMs: 15_000 },
    });
    expect(result.status, result.stderr).toBe('ok');
    expect(result.stdout).toContain('threads [0, 1, 2, 3, 4, 5, 6, 7]');
    expect(result.stdout).toContain('subprocess hi');
    expect(result.stdout).toContain('pool [1, 4, 9]');
    expect(result.stdout).toContain('process');
    expect(result.stdout).toContain('sqlite 42');
    expect(result.outputFiles.map((f) => f.name)).toEqual(['data.db']);
  });

  it('leaves Tk under Xvfb working: a window is captured as PNG', async () => {
    const result = await sandbox.run({
      script:
        'import tkinter as tk\nroot = tk.Tk()\ntk.Label(root, text="seccomp").pack()\nroot.mainloop()\n',
      gui: true,
      limits: { timeoutMs: 10_000 },
    });
    expect(result.status, result.stderr).toBe('ok');
    expect(Array.from(result.screenshot?.subarray(0, 4) ?? [])).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(processesOf(UID_BASE, 2)).toEqual([]);
  });
});
