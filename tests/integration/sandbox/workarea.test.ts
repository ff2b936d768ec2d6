import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workDirInodes } from '../../../src/sandbox/limits.js';
import { inEverySlot as everySlot, processesOf, TEST_LIMITS, testSandbox } from './helpers.js';

const UID_BASE = 63500;
const SLOTS = 2;
const sandbox = testSandbox(UID_BASE, SLOTS);
const victim = join(tmpdir(), `ff2-victim-${process.pid}`);
mkdirSync(victim, { recursive: true });
writeFileSync(join(victim, 'target.txt'), 'original');
afterAll(async () => {
  await sandbox.close();
  rmSync(victim, { recursive: true, force: true });
});

const inEverySlot = (script: string, inputFiles?: Record<string, Uint8Array>) =>
  everySlot(sandbox, SLOTS, script, inputFiles);

describe('each run gets a fresh work area', () => {
  it('a run that plants links named like the next inputs and main.py reaches nothing: every slot starts empty', async () => {
    // Links to host paths (as the host would see them if it followed them), a dangling link, a
    // FIFO, a directory, and a tree too deep to delete file by file, in every slot.
    const plant = `
import os
for name, target in [("main.py", ${JSON.stringify(join(victim, 'target.txt'))}),
                     ("data.csv", ${JSON.stringify(join(victim, 'target.txt'))}),
                     ("new.txt", ${JSON.stringify(join(victim, 'created-through-link.txt'))}),
                     ("etc", "/etc")]:
    try:
        os.remove(name)
    except OSError:
        pass
    os.symlink(target, name)
os.mkfifo("notes.txt")
os.mkdir("dir.bin")
os.chdir("dir.bin")
for _ in range(300):
    os.mkdir("d" * 200)
    os.chdir("d" * 200)
print("planted")
`;
    for (const result of await inEverySlot(plant)) expect(result.stdout).toContain('planted');

    const check = `
print("entries", sorted(os.listdir(".")))
print("links", [n for n in os.listdir(".") if os.path.islink(n)])
print("data", open("data.csv").read())
print("notes", open("notes.txt").read())
`;
    const inputs = {
      'data.csv': new TextEncoder().encode('a,b\n'),
      'notes.txt': new TextEncoder().encode('hello'),
      'new.txt': new TextEncoder().encode('fresh'),
    };
    for (const result of await inEverySlot(check, inputs)) {
      expect(result.status, result.stderr).toBe('ok');
      expect(result.stdout).toContain("entries ['data.csv', 'main.py', 'new.txt', 'notes.txt']");
      expect(result.stdout).toContain('links []');
      expect(result.stdout).toContain('data a,b\n');
      expect(result.stdout).toContain('notes hello');
    }
    // Nothing was written through a link on the host.
    expect(readFileSync(join(victim, 'target.txt'), 'utf8')).toBe('original');
    expect(readdirSync(victim)).toEqual(['target.txt']);
    expect(existsSync(join(victim, 'created-through-link.txt'))).toBe(false);
    expect(processesOf(UID_BASE, 64)).toEqual([]);
  });

  it('caps inodes: a million empty files stop early with ENOSPC, and the next run starts empty', async () => {
    const result = await sandbox.run({
      script: `
import os
made = 0
try:
    for i in range(1_000_000):
        os.close(os.open(f"f{i}", os.O_CREAT | os.O_WRONLY))
        made += 1
except OSError as e:
    print("stopped after", made, "errno", e.errno)
`,
      limits: { timeoutMs: 20_000 },
    });
    expect(result.status, result.stderr).toBe('ok');
    const [, made, errno] = /stopped after (\d+) errno (\d+)/.exec(result.stdout) ?? [];
    expect(Number(errno)).toBe(28);
    expect(Number(made)).toBeLessThanOrEqual(workDirInodes(TEST_LIMITS));
    expect(result.outputFiles.length).toBeLessThanOrEqual(TEST_LIMITS.maxOutputFiles);
    for (const next of await inEverySlot('print("entries", sorted(os.listdir(".")))'))
      expect(next.stdout).toContain("entries ['main.py']");
    expect(processesOf(UID_BASE, 64)).toEqual([]);
  });
});
