import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { cgroupCheck, sandboxCheck, seccompCheck, slotsCheck } from '../../../src/doctor/sandbox.js';

const UID_BASE = 63800;
const dir = mkdtempSync(join(tmpdir(), 'ff2-doctor-sandbox-'));
const config = loadConfig(
  { FF2_DATA_DIR: dir, FF2_SANDBOX_UID_BASE: String(UID_BASE), FF2_SANDBOX_SLOTS: '1' },
  dir,
);
const marker = `/run/ff2/locks/${UID_BASE + 5}.quarantine`;
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(marker, { force: true });
});

describe('ff2 doctor on the sandbox', () => {
  it('reports the sandbox, the seccomp filter in force, cgroup limits and healthy slots', async () => {
    expect(await sandboxCheck.run(config)).toMatchObject({ name: 'sandbox', ok: true });
    expect(await seccompCheck.run(config)).toMatchObject({
      name: 'seccomp',
      ok: true,
      detail: expect.stringContaining('keyctl denied with EPERM'),
    });
    expect(await cgroupCheck.run(config)).toMatchObject({
      name: 'sandbox limits',
      ok: true,
      detail: expect.stringMatching(/cgroup v[12]: memory.* and pids.max per run/),
    });
    expect(await slotsCheck.run(config)).toMatchObject({ name: 'sandbox slots', ok: true });
  });

  it('names a quarantined slot, with what to do', async () => {
    writeFileSync(marker, '2 processes of uid 63805 could not be killed (at 0)\n');
    const result = await slotsCheck.run(config);
    expect(result).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`uid ${UID_BASE + 5} quarantined`),
    });
    expect(result.fix).toContain('ps -o pid,stat,cmd -u');
  });
});
