import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CGROUP_FIX, SlotCgroups } from '../../../src/sandbox/cgroup.js';

const empty = mkdtempSync(join(tmpdir(), 'ff2-no-cgroups-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('SlotCgroups where no cgroup hierarchy is usable', () => {
  it('runs go on without a budget, and status() says so with the fix', async () => {
    const cgroups = new SlotCgroups(empty);
    expect(await cgroups.prepare(61001, 1024 ** 3, 72)).toBeNull();
    const status = await cgroups.status();
    expect(status).toMatchObject({ ok: false, fix: CGROUP_FIX });
    expect(status.detail).toContain('per-run memory and process budgets are off');
  });

  it('once joining failed, stays off and reports why', async () => {
    const cgroups = new SlotCgroups(empty);
    cgroups.disable('error joining the slot cgroup: Permission denied');
    expect(await cgroups.prepare(61001, 1024 ** 3, 72)).toBeNull();
    expect((await cgroups.status()).detail).toContain('Permission denied');
  });
});
