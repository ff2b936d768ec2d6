import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../../../src/commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { CONFIG_VARIABLES } from '../../../src/config-schema.js';

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs here): the
 * topology the README promises (PostgreSQL, a migration step, 2 workers, 2 runners), commands and
 * flags ff2 has, settings ff2 reads and accepts, privileges only where the sandbox needs them.
 */
const ROOT = join(import.meta.dirname, '../../..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { command?: string[]; environment?: Record<string, string>; privileged?: boolean; image?: string }
  >;
};
const ff2Services = Object.entries(compose.services).filter(([, s]) => s.image === 'ff2:local');
const byCommand = (name: string) => ff2Services.filter(([, s]) => s.command?.[0] === name);

/** `${NAME:-default}` → default, as docker compose substitutes an unset variable. */
const withDefaults = (env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
  );

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, the migrations, two workers and two runners', () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:1[3-9]/);
    expect(byCommand('migrate')).toHaveLength(1);
    expect(byCommand('serve')).toHaveLength(2);
    expect(byCommand('runner')).toHaveLength(2);
    expect(ff2Services).toHaveLength(5);
  });

  it('uses only ff2 commands, flags those commands document, and settings ff2 reads', () => {
    for (const [name, service] of ff2Services) {
      const [command, ...args] = service.command ?? [];
      const known = COMMANDS.find((c) => c.name === command);
      expect(known, `${name}: ${command}`).toBeDefined();
      for (const flag of args.filter((a) => a.startsWith('--')))
        expect(known!.usage, `${name}: ${flag}`).toMatch(new RegExp(`${flag.split('=')[0]}(?![\\w-])`));
      for (const key of Object.keys(service.environment ?? {}))
        expect(CONFIG_VARIABLES, `${name}: ${key}`).toContain(key);
    }
  });

  it("gives every ff2 service settings ff2 accepts, all on the compose network's PostgreSQL", () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ff2-compose-'));
    try {
      for (const [, service] of ff2Services) {
        const config = loadConfig(withDefaults(service.environment ?? {}), cwd);
        expect(new URL(config.databaseUrl!).host).toBe('postgres:5432');
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
    for (const [, worker] of byCommand('serve')) expect(worker.environment?.FF2_RUNS).toBe('remote');
    const shards = byCommand('serve').map(([, w]) => w.environment?.FF2_DISCORD_SHARDS);
    expect(shards.sort()).toEqual(['0/2', '1/2']);
  });

  it('makes only the runners privileged, each with its own sandbox UIDs', () => {
    for (const [name, service] of ff2Services)
      expect(Boolean(service.privileged), name).toBe(service.command?.[0] === 'runner');
    const bases = byCommand('runner').map(([, r]) => Number(r.environment?.FF2_SANDBOX_UID_BASE));
    expect(new Set(bases).size).toBe(bases.length);
    expect(Math.abs(bases[0]! - bases[1]!)).toBeGreaterThanOrEqual(100);
  });
});

describe('Dockerfile', () => {
  it('builds with the setup script on Node 20 and starts the built CLI', () => {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^FROM node:20-bookworm$/m);
    expect(text).toMatch(/^RUN bash scripts\/setup\.sh/m);
    expect(text).toContain('ENTRYPOINT ["node", "/opt/ff2/dist/cli.js"]');
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.env']));
  });
});
