import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../src/errors.js';
import { createPythonToolchain } from '../../../src/python/toolchain.js';
import { processesOf } from './helpers.js';

const UID = 63600;

async function until(check: () => boolean, maxMs: number): Promise<boolean> {
  for (let waited = 0; waited < maxMs; waited += 10) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

/** Many lines to parse: enough work to be seen running, and to hit small limits. */
const big = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `v${i} = [${i}, "${'x'.repeat(20)}"]`).join('\n');

describe('the analyser runs like untrusted code', () => {
  it('as its own unprivileged UID, and still analyses', async () => {
    const toolchain = createPythonToolchain({ python: '/usr/bin/python3', limits: { uid: UID } });
    // One long string literal: linear to parse, long enough (~1 s) to be seen running.
    const analysing = toolchain.analyze(`x = """${'a'.repeat(30_000_000)}"""\n`);
    expect(await until(() => processesOf(UID, 1).length > 0, 10_000)).toBe(true);
    const analysis = await analysing;
    expect(analysis.syntaxError).toBeNull();
    expect(analysis.sections[0]).toMatchObject({ kind: 'globals' });
    expect(processesOf(UID, 1)).toEqual([]);
  });

  it('within an address-space limit: a parse that needs more fails cleanly', async () => {
    const toolchain = createPythonToolchain({
      python: '/usr/bin/python3',
      limits: { uid: UID, memoryMb: 120 },
    });
    const error = await toolchain.analyze(big(400_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toMatch(/analyser failed: .*(MemoryError|memory|SIG)/is);
  });

  it('with its output capped', async () => {
    const toolchain = createPythonToolchain({
      python: '/usr/bin/python3',
      limits: { uid: UID, maxOutputBytes: 1000 },
    });
    const undefinedNames = Array.from({ length: 500 }, (_, i) => `print(missing${i})`).join('\n');
    const error = await toolchain.analyze(undefinedNames).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toContain('output exceeded 1000 bytes');
  });
});
