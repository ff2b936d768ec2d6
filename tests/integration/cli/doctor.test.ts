import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../fakes/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ff2-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCliCaptured(
    args,
    { FF2_DATA_DIR: dir, FF2_LLM: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', ...env },
    dir,
  );
}

describe('ff2 CLI', () => {
  it('lists commands with --help and rejects unknown ones with exit 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/doctor/);
    const bad = await cli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown command "frobnicate"/);
  });

  it('doctor --json prints the documented shape', async () => {
    const { out } = await cli(['doctor', '--json']);
    const parsed = JSON.parse(out) as { checks: Record<string, unknown>[] };
    expect(parsed.checks.length).toBeGreaterThanOrEqual(3);
    for (const check of parsed.checks) {
      expect(typeof check.name).toBe('string');
      expect(typeof check.ok).toBe('boolean');
      expect(typeof check.detail).toBe('string');
      if (!check.ok) expect(typeof check.fix).toBe('string');
    }
    expect(parsed.checks.find((c) => c.name === 'database')).toMatchObject({ ok: true });
    expect(parsed.checks.find((c) => c.name === 'node')).toMatchObject({ ok: true });
  });

  it('doctor names FF2_DB when the database path is unusable, without a stack trace', async () => {
    const { code, out } = await cli(['doctor', '--json'], { FF2_DB: '/proc/ff2-no/ff2.db' });
    expect(code).toBe(1);
    const db = (
      JSON.parse(out) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }
    ).checks.find((c) => c.name === 'database');
    expect(db?.ok).toBe(false);
    expect(db?.detail).toMatch(/^FF2_DB=\/proc\/ff2-no\/ff2.db is not usable/);
    expect(db?.detail).not.toMatch(/\n\s+at /);
    expect(db?.fix).toMatch(/FF2_DB/);
  });

  it('doctor reports an invalid variable as a failed config check', async () => {
    const { code, out } = await cli(['doctor', '--json'], { FF2_LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(JSON.parse(out).checks[0]).toMatchObject({ name: 'config', ok: false });
  });

  it('rejects unknown options with exit 2 and the usage', async () => {
    const { code, err } = await cli(['doctor', '--bogus']);
    expect(code).toBe(2);
    expect(err).toMatch(/Usage: ff2 doctor/);
  });
});
