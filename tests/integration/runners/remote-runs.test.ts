import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { SandboxError } from '../../../src/errors.js';
import { createEnvironment } from '../../../src/python/create.js';
import { environmentFingerprint, RunQueue } from '../../../src/runners/queue.js';
import { RemoteSandbox } from '../../../src/runners/remote-sandbox.js';
import { decodeRequest } from '../../../src/runners/wire.js';
import { openPgStore, type PgSessionStore } from '../../../src/store/pg/store.js';
import { runCliCaptured } from '../../fakes/cli.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * Remote runs: a worker's Sandbox enqueues jobs, `ff2 runner` processes take them. A runner that
 * dies mid-run has its job retried once on another runner, then the run fails with the reason.
 */
const UID_BASE = 68000;
const CLI = join(import.meta.dirname, '../../../src/cli.ts');
const missing = postgresMissing();
let pg: TestPostgres;
let dir: string;
const stores: PgSessionStore[] = [];
const children: ChildProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ff2-runners-'));
  if (!missing) pg = startPostgres();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of stores.splice(0)) s.close();
});
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function queueOn(url: string): RunQueue {
  const store = openPgStore(url);
  stores.push(store);
  return new RunQueue(store);
}

describe('remote runs: configuration', () => {
  it('ff2 serve --runs=remote and ff2 runner refuse to start without FF2_DATABASE_URL', async () => {
    const env = { FF2_DATA_DIR: join(dir, 'cfg') };
    const serve = await runCliCaptured(['serve', '--runs', 'remote'], env, dir);
    expect(serve.code).toBe(2);
    expect(serve.err).toContain('remote runs need FF2_DATABASE_URL');
    const runner = await runCliCaptured(['runner'], env, dir);
    expect(runner.code).toBe(2);
    expect(runner.err).toContain('ff2 runner needs FF2_DATABASE_URL');
    const bogus = await runCliCaptured(['serve', '--runs', 'elsewhere'], env, dir);
    expect(bogus.code).toBe(2);
    expect(bogus.err).toContain('--runs must be local or remote');
  });
});

describe.skipIf(missing)('remote runs: the job queue', () => {
  it('gives a job only to a runner of the same environment, and retries a lost run once elsewhere', async () => {
    const queue = queueOn(pg.createDatabase());
    const sandbox = new RemoteSandbox({ queue, env: 'env-a', pollMs: 50 });
    const result = sandbox.run({ script: 'print(1)', inputFiles: { 'in.csv': new Uint8Array([97, 10]) } });
    const outcome = result.then(
      (r) => ({ ok: r }),
      (error: unknown) => ({ error }),
    );
    await sleep(100);
    expect(queue.claim('runner-b', 'env-b', 300)).toBeUndefined();
    const first = queue.claim('runner-1', 'env-a', 300)!;
    expect(decodeRequest(first.request)).toEqual({
      script: 'print(1)',
      inputFiles: { 'in.csv': new Uint8Array([97, 10]) },
    });
    // runner-1 never renews: after the lease the job goes back to the queue, but not to runner-1.
    await sleep(500);
    queue.reap();
    expect(queue.claim('runner-1', 'env-a', 300)).toBeUndefined();
    expect(queue.claim('runner-2', 'env-a', 300)).toMatchObject({ id: first.id, attempts: 2 });
    await sleep(500);
    const failed = (await outcome) as { error?: unknown };
    expect(failed.error).toBeInstanceOf(SandboxError);
    expect(String((failed.error as Error).message)).toMatch(
      /runner runner-2 stopped during the run, after runner-1 did on the first try; not retried again/,
    );
    expect(queue.status(first.id)).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('says no runner is there for its environment', async () => {
    const queue = queueOn(pg.createDatabase());
    queue.heartbeat('runner-x', 'env-x', 2, {}, 30_000);
    expect(await new RemoteSandbox({ queue, env: 'env-x' }).check()).toMatchObject({ ok: true });
    expect(await new RemoteSandbox({ queue, env: 'env-y' }).check()).toMatchObject({ ok: false });
  });
});

describe.skipIf(missing || process.getuid?.() !== 0)('remote runs: ff2 runner processes', () => {
  function startRunner(url: string, uidBase: number): ChildProcess {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'runner', '--slots', '1', '--lease-ms', '1500'],
      {
        env: {
          ...process.env,
          FF2_DATABASE_URL: url,
          FF2_DATA_DIR: join(dir, `data-${uidBase}`),
          FF2_SANDBOX_UID_BASE: String(uidBase),
          FF2_SANDBOX_TIMEOUT_S: '30',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    children.push(child);
    return child;
  }

  it('retries a run on another runner when its runner is killed mid-run', async () => {
    const url = pg.createDatabase();
    const queue = queueOn(url);
    const config = loadConfig({ FF2_DATA_DIR: join(dir, 'data') }, dir, { platforms: false });
    const env = environmentFingerprint(await createEnvironment(config).describe());
    const r1 = startRunner(url, UID_BASE);
    const r2 = startRunner(url, UID_BASE + 100);
    for (let i = 0; queue.runners(env).length < 2; i++) {
      expect(i).toBeLessThan(300);
      await sleep(100);
    }
    const sandbox = new RemoteSandbox({ queue, env, pollMs: 50 });
    const run = sandbox.run({ script: 'import time\ntime.sleep(2)\nprint("done")\n' });
    let holder: string | null = null;
    for (let i = 0; !holder; i++) {
      expect(i).toBeLessThan(300);
      await sleep(50);
      holder = queue.status(1)?.runner ?? null;
    }
    const victim = queue.runners(env).find((r) => r.id === holder)!;
    const child = [r1, r2].find((c) => (victim.info as { pid: number }).pid === c.pid)!;
    child.kill('SIGKILL');
    const result = await run;
    expect(result).toMatchObject({ status: 'ok', stdout: 'done\n' });
    const job = queue.status(1)!;
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
    expect(job.runner).not.toBe(holder);
  });
});
