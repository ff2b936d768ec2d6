import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { databaseCheck } from '../../../src/doctor/database.js';
import { StoreError } from '../../../src/errors.js';
import { migrateJobLibrary } from '../../../src/ops/job-library.js';
import { openStore } from '../../../src/store/open.js';
import { openPgStore } from '../../../src/store/pg/store.js';
import { sqliteLevel } from '../../../src/store/schema.js';
import { runCliCaptured } from '../../fakes/cli.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const missing = postgresMissing();
let pg: TestPostgres;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-pgcli-'));
  if (!missing) pg = startPostgres();
});
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string>) => ({ FF2_DATA_DIR: join(dir, 'data'), ...extra });

describe.skipIf(missing)('PostgreSQL store: migrate, doctor, engine selection', () => {
  it('ff2 migrate prints the plan, applies it once, then reports nothing to do', async () => {
    const url = pg.createDatabase();
    const dry = await runCliCaptured(['migrate', '--dry-run', '--json'], env({ FF2_DATABASE_URL: url }), dir);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.out);
    expect(plan).toMatchObject({ engine: 'postgres', current: 0, applied: false });
    expect(plan.pending.length).toBe(plan.target);
    expect(plan.pending[0]).toMatchObject({ version: 1 });
    expect(plan.jobs).toEqual({
      schema: 'ff2_jobs',
      current: null,
      target: expect.any(Number),
      applied: false,
    });

    const applied = await runCliCaptured(['migrate'], env({ FF2_DATABASE_URL: url }), dir);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(
      /^postgres FF2_DATABASE_URL=postgresql:\/\/.*schema level 0, this ff2 needs \d+/,
    );
    expect(applied.out).toMatch(/Applied \d+ migration/);
    expect(applied.out).toMatch(
      /job library \(pg-boss, schema ff2_jobs\): not created, this ff2 needs \d+; migrated/,
    );
    const again = await runCliCaptured(['migrate', '--json'], env({ FF2_DATABASE_URL: url }), dir);
    expect(JSON.parse(again.out)).toMatchObject({
      current: plan.target,
      pending: [],
      applied: false,
      jobs: { current: plan.jobs.target, target: plan.jobs.target, applied: false },
    });
    // No SQLite file appeared: the URL selected PostgreSQL.
    expect(existsSync(join(dir, 'data', 'ff2.db'))).toBe(false);
  });

  it('ff2 doctor reports the server version and the migration level, and says to migrate when behind', async () => {
    const url = pg.createDatabase();
    const config = loadConfig(env({ FF2_DATABASE_URL: url }), dir, { platforms: false });
    const behind = await databaseCheck.run(config);
    expect(behind).toMatchObject({ ok: false, fix: 'run: ff2 migrate' });
    expect(behind.detail).toMatch(/PostgreSQL 15\.\d+.*level 0 of \d+/);
    openPgStore(url).close();
    const ok = await databaseCheck.run(config);
    expect(ok.ok).toBe(true);
    expect(ok.detail).toMatch(/PostgreSQL 15\.\d+.*level (\d+) of \1, writable; job library not created yet/);
    await migrateJobLibrary(url);
    expect((await databaseCheck.run(config)).detail).toMatch(/job library level (\d+) of \1$/);
  });

  it('names an unreachable database without its password', async () => {
    const url = `postgresql://ff2:hunter2@/nope?host=${encodeURIComponent(dir)}&port=1`;
    expect(() => openStore({ dbPath: join(dir, 'x.db'), databaseUrl: url })).toThrow(StoreError);
    try {
      openStore({ dbPath: join(dir, 'x.db'), databaseUrl: url });
    } catch (error) {
      expect((error as Error).message).toContain('ff2:***@');
      expect((error as Error).message).not.toContain('hunter2');
    }
    const config = loadConfig(env({ FF2_DATABASE_URL: url }), dir, { platforms: false });
    const check = await databaseCheck.run(config);
    expect(check.ok).toBe(false);
    expect(check.detail).not.toContain('hunter2');
  });

  it('replaces a lost connection on the next call', async () => {
    const url = pg.createDatabase();
    const store = openPgStore(url);
    const admin = openPgStore(url);
    try {
      expect(store.listSessions()).toEqual([]);
      admin.call('probeWrite', []);
      // Cut the store's connection from the server side, as a server restart would.
      const { Client } = (await import('pg')).default;
      const killer = new Client({ connectionString: url });
      await killer.connect();
      await killer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'ff2'`,
      );
      await killer.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
      let failures = 0;
      for (let i = 0; i < 3; i++) {
        try {
          expect(store.listSessions()).toEqual([]);
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError);
          failures++;
        }
      }
      expect(failures).toBeLessThanOrEqual(1);
      expect(store.listSessions()).toEqual([]);
    } finally {
      store.close();
      admin.close();
    }
  });

  it('keeps a step commit atomic and version-guarded across two connections', () => {
    const url = pg.createDatabase();
    const a = openPgStore(url);
    const b = openPgStore(url);
    try {
      a.createSession({
        id: 's1',
        threadKey: 'slack:C1:s1',
        platform: 'slack',
        ownerId: 'slack:U1',
        goal: 'g',
        stage: 'interview',
        status: 'working',
        state: {},
      });
      b.commit('s1', 1, { patch: { stage: 'outline' }, events: [{ type: 'b' }] });
      expect(() => a.commit('s1', 1, { patch: { stage: 'generate' }, events: [{ type: 'a' }] })).toThrow(
        /version 2, not 1/,
      );
      expect(a.listEvents('s1').map((e) => e.type)).toEqual(['b']);
      // A row claimed on one connection is never handed out on the other.
      a.enqueue('s1', [{ threadKey: 'slack:C1:s1', payload: { text: 'x' } }]);
      expect(b.claimOutbox(Date.now(), 10)).toHaveLength(1);
      expect(a.claimOutbox(Date.now(), 10)).toHaveLength(0);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('SQLite: ff2 migrate', () => {
  it('prints the plan without creating the file on a dry run, then applies it', async () => {
    const sqliteDir = join(dir, 'sqlite');
    const dry = await runCliCaptured(['migrate', '--dry-run'], { FF2_DATA_DIR: sqliteDir }, dir);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^sqlite FF2_DB=.*ff2\.db: schema level 0, this ff2 needs (\d+)/);
    expect(dry.out).toContain('Dry run: nothing applied.');
    expect(existsSync(join(sqliteDir, 'ff2.db'))).toBe(false);
    const applied = await runCliCaptured(['migrate', '--json'], { FF2_DATA_DIR: sqliteDir }, dir);
    const result = JSON.parse(applied.out);
    expect(result).toMatchObject({ engine: 'sqlite', current: 0, applied: true });
    expect(sqliteLevel(join(sqliteDir, 'ff2.db'))).toBe(result.target);
  });
});
