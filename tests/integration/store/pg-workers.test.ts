import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaseLostError, StaleSessionError } from '../../../src/errors.js';
import { openPgStore, type PgSessionStore } from '../../../src/store/pg/store.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * Many workers on one PostgreSQL database: the per-session lease fences every commit (a worker
 * that lost its lease commits nothing, even at the right version), and a dead worker's sessions
 * are taken over once their leases expire.
 */
const WORKER = join(import.meta.dirname, '../../fixtures/programs/pg-worker.ts');
const missing = postgresMissing();
let pg: TestPostgres;
const children: ChildProcess[] = [];
const stores: PgSessionStore[] = [];
beforeAll(() => {
  if (!missing) pg = startPostgres();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of stores.splice(0)) s.close();
});
afterAll(() => pg?.stop());

function open(url: string, worker: string, leaseTtlMs = 30_000): PgSessionStore {
  const store = openPgStore(url, { worker, leaseTtlMs });
  stores.push(store);
  return store;
}

const session = (id: string) => ({
  id,
  threadKey: `slack:C1:${id}`,
  platform: 'slack',
  ownerId: 'slack:U1',
  goal: 'g',
  stage: 'generate',
  status: 'working' as const,
  state: {},
});

/** Starts the fixture worker; resolves with a line reader once it printed "ready". */
async function startWorker(url: string, worker: string, ttlMs: number, ids: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, worker, String(ttlMs), ...ids], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => String((await lines.next()).value);
  expect(await next()).toMatch(/^ready /);
  return { child, next };
}

describe.skipIf(missing)('many workers: session leases (PostgreSQL)', () => {
  it('lets only the lease holder commit a session step', () => {
    const url = pg.createDatabase();
    const a = open(url, 'worker-a');
    const b = open(url, 'worker-b');
    a.createSession(session('s1'));
    expect(b.leaseSession('s1', 30_000)).toBe(false);
    expect(() => b.commit('s1', 1, { events: [{ type: 'b' }] })).toThrow(LeaseLostError);
    expect(a.commit('s1', 1, { events: [{ type: 'a' }] }).version).toBe(2);
    // A lost lease is a stale step to callers: they drop it like any other.
    expect(() => b.commit('s1', 2, {})).toThrow(StaleSessionError);
    expect(a.listEvents('s1').map((e) => e.type)).toEqual(['a']);
    a.releaseSession('s1');
    expect(b.leaseSession('s1', 30_000)).toBe(true);
    expect(b.commit('s1', 2, { events: [{ type: 'b' }] }).version).toBe(3);
    // A step that leaves `working` frees the session; the next event's worker takes it in its commit.
    b.commit('s1', 3, { patch: { status: 'waiting' } });
    expect(a.commit('s1', 4, { patch: { status: 'working' }, events: [{ type: 'a' }] }).version).toBe(5);
    expect(() => b.commit('s1', 5, {})).toThrow(LeaseLostError);
  });

  it("takes over a worker's sessions once its leases expire, and the old holder can no longer commit", async () => {
    const url = pg.createDatabase();
    const a = open(url, 'worker-a', 400);
    const b = open(url, 'worker-b');
    a.createSession(session('s1'));
    a.createSession(session('s2'));
    a.createSession({ ...session('s3'), status: 'waiting' });
    expect(b.claimOrphans(30_000, 10)).toEqual([]);
    // s3 waits for a person: nobody holds it until its next event.
    expect(a.renewSessions(400)).toEqual(['s1', 's2']);
    await sleep(600);
    // Waiting sessions are nobody's work: only working ones are resumed.
    expect(b.claimOrphans(30_000, 10).sort()).toEqual(['s1', 's2']);
    expect(a.renewSessions(400)).toEqual([]);
    expect(() => a.commit('s1', 1, { events: [{ type: 'late' }] })).toThrow(LeaseLostError);
    expect(b.commit('s1', 1, { events: [{ type: 'resumed' }] }).version).toBe(2);
    expect(b.listEvents('s1').map((e) => e.type)).toEqual(['resumed']);
  });

  it('a worker paused (SIGSTOP) past its lease expiry commits nothing when it continues', async () => {
    const url = pg.createDatabase();
    const w = await startWorker(url, 'paused', 800, ['p1']);
    w.child.stdin!.write('step\n');
    expect(await w.next()).toBe('committed p1');
    w.child.kill('SIGSTOP');
    await sleep(1300);
    w.child.kill('SIGCONT');
    // Nobody took the session over, yet the expired lease alone stops the commit.
    w.child.stdin!.write('step\n');
    expect(await w.next()).toBe('lost p1 LeaseLostError');
    const observer = open(url, 'observer');
    expect(observer.listEvents('p1').map((e) => e.actor)).toEqual(['paused']);
    expect(observer.getSession('p1')!.version).toBe(2);
  });

  it("picks up a killed worker's sessions within the lease time, each step committed once", async () => {
    const url = pg.createDatabase();
    const ids = ['k1', 'k2', 'k3'];
    const w = await startWorker(url, 'doomed', 1000, ids);
    w.child.stdin!.write('step\n');
    for (const _ of ids) expect(await w.next()).toMatch(/^committed k/);
    w.child.kill('SIGKILL');
    const b = open(url, 'survivor');
    expect(b.claimOrphans(30_000, 10)).toEqual([]);
    await sleep(1200);
    expect(b.claimOrphans(30_000, 10).sort()).toEqual(ids);
    for (const id of ids) {
      const row = b.getSession(id)!;
      b.commit(id, row.version, { events: [{ type: 'step', actor: 'survivor' }] });
      expect(b.listEvents(id).map((e) => e.actor)).toEqual(['doomed', 'survivor']);
    }
  });

  it('delivers a channel as one lane across workers: its next row waits while one is in flight', () => {
    const url = pg.createDatabase();
    const a = open(url, 'worker-a');
    const b = open(url, 'worker-b');
    a.enqueue(null, [
      { threadKey: 'slack:C1:t1', payload: { n: 1 } },
      { threadKey: 'slack:C1:t2', payload: { n: 2 } },
      { threadKey: 'slack:C2:t3', payload: { n: 3 } },
    ]);
    const first = a.claimOutbox(Date.now(), 10);
    expect(first.map((r) => r.payload)).toEqual([{ n: 1 }, { n: 3 }]);
    // Thread t2 is another thread, but of channel C1, whose lane is busy with row 1.
    expect(b.claimOutbox(Date.now(), 10)).toEqual([]);
    a.markSent(first[0]!.id, { ts: '1' });
    expect(b.claimOutbox(Date.now(), 10).map((r) => r.payload)).toEqual([{ n: 2 }]);
  });

  it('makes each Discord thread a lane of its own (a Discord thread is a channel)', () => {
    const url = pg.createDatabase();
    const a = open(url, 'worker-a');
    const b = open(url, 'worker-b');
    a.enqueue(null, [
      { threadKey: 'discord:P1:t1', payload: { n: 1 } },
      { threadKey: 'discord:P1:t2', payload: { n: 2 } },
    ]);
    expect(a.claimOutbox(Date.now(), 1).map((r) => r.payload)).toEqual([{ n: 1 }]);
    expect(b.claimOutbox(Date.now(), 10).map((r) => r.payload)).toEqual([{ n: 2 }]);
  });

  it("requeues only its own or dead workers' in-flight rows, never a live worker's", async () => {
    const url = pg.createDatabase();
    const a = open(url, 'worker-a');
    const b = open(url, 'worker-b');
    a.registerWorker({ slots: 1 }, 400);
    b.registerWorker({ slots: 1 }, 30_000);
    expect(b.listWorkers().map((w) => w.id)).toEqual(['worker-a', 'worker-b']);
    a.enqueue(null, [{ threadKey: 'slack:C1:t1', payload: { n: 1 } }]);
    expect(a.claimOutbox(Date.now(), 10)).toHaveLength(1);
    expect(b.requeueSending()).toBe(0);
    await sleep(600);
    expect(b.listWorkers().map((w) => w.id)).toEqual(['worker-b']);
    expect(b.requeueSending()).toBe(1);
    const again = b.claimOutbox(Date.now(), 10);
    expect(again[0]).toMatchObject({ attempts: 2, maybeSent: true });
  });
});
