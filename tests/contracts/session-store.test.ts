import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateInboundError, LeaseHeldError, StaleSessionError, StoreError } from '../../src/errors.js';
import { openPgStore } from '../../src/store/pg/store.js';
import { openStore } from '../../src/store/sqlite.js';
import type { ClaimOptions, NewSession, SessionStore } from '../../src/store/types.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * One contract, every engine: SQLite (memory and file) and PostgreSQL (a private throwaway
 * cluster, a fresh database per store). PostgreSQL is skipped only when its binaries are absent.
 */
const pgMissing = postgresMissing();
if (pgMissing) console.warn(`skipping the PostgreSQL store contract: ${pgMissing}`);
let pg: TestPostgres | undefined;
beforeAll(() => {
  if (!pgMissing) pg = startPostgres();
});
afterAll(() => pg?.stop());

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function session(id: string, overrides: Partial<NewSession> = {}): NewSession {
  return {
    id,
    threadKey: `memory:C1:${id}`,
    platform: 'memory',
    ownerId: 'memory:U1',
    goal: 'dedupe a csv',
    stage: 'interview',
    status: 'working',
    state: { answers: [] },
    ...overrides,
  };
}

type Open = (options?: { now?: () => number }) => SessionStore;

const backends: [string, Open][] = [
  ['memory', (options) => openStore(':memory:', options)],
  [
    'file',
    (options) => {
      const dir = mkdtempSync(join(tmpdir(), 'ff2-store-'));
      dirs.push(dir);
      return openStore(join(dir, 'ff2.db'), options);
    },
  ],
  ...(pgMissing
    ? []
    : [['postgres', (options) => openPgStore(pg!.createDatabase(), options)] as [string, Open]]),
];

describe.each(backends)('SessionStore contract (%s)', (_name, open) => {
  it('creates a session with its first step and reads it back by id and thread', () => {
    const store = open();
    const row = store.createSession(session('s1'), {
      events: [{ type: 'start', actor: 'memory:U1', data: { goal: 'x' } }],
      outbox: [{ threadKey: 'memory:C1:s1', payload: { text: 'hello' }, key: 'welcome' }],
    });
    expect(row.version).toBe(1);
    expect(store.getSession('s1')?.state).toEqual({ answers: [] });
    expect(store.getSessionByThread('memory:C1:s1')?.id).toBe('s1');
    expect(store.listEvents('s1').map((e) => e.type)).toEqual(['start']);
    expect(store.pendingOutbox()).toBe(1);
    store.close();
  });

  it('refuses a second session in the same thread', () => {
    const store = open();
    store.createSession(session('s1'));
    expect(() => store.createSession(session('s2', { threadKey: 'memory:C1:s1' }))).toThrow(StoreError);
    store.close();
  });

  it('commits a patch, events, outbox, script version and run in one step and bumps the version', () => {
    const store = open();
    store.createSession(session('s1'));
    const row = store.commit('s1', 1, {
      patch: { stage: 'run', status: 'waiting', state: { n: 2 } },
      events: [{ type: 'stage_done' }, { type: 'posted' }],
      outbox: [{ threadKey: 'memory:C1:s1', payload: { text: 'Run it?' } }],
      scriptVersion: { reason: 'generated', code: 'print(1)\n', diff: '' },
      run: { version: 1, status: 'ok', exitCode: 0, durationMs: 12.4, result: { stdout: '1\n' } },
    });
    expect(row).toMatchObject({ stage: 'run', status: 'waiting', version: 2, state: { n: 2 } });
    expect(store.listEvents('s1')).toHaveLength(2);
    expect(store.listScriptVersions('s1')).toMatchObject([
      { number: 1, reason: 'generated', code: 'print(1)\n' },
    ]);
    expect(store.listRuns('s1')).toMatchObject([{ version: 1, status: 'ok', exitCode: 0, durationMs: 12 }]);
    store.commit('s1', 2, { scriptVersion: { reason: 'repair', code: 'print(2)\n', diff: '-1\n+2' } });
    expect(store.listScriptVersions('s1').map((v) => v.number)).toEqual([1, 2]);
    store.close();
  });

  it('rejects a stale version with a typed error and writes nothing', () => {
    const store = open();
    store.createSession(session('s1'));
    store.commit('s1', 1, { patch: { stage: 'outline' } });
    const before = store.pendingOutbox();
    let error: unknown;
    try {
      store.commit('s1', 1, {
        patch: { stage: 'generate' },
        events: [{ type: 'x' }],
        outbox: [{ threadKey: 'memory:C1:s1', payload: { text: 'lost' } }],
        scriptVersion: { reason: 'r', code: 'c', diff: '' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StaleSessionError);
    expect(error).toMatchObject({ sessionId: 's1', expected: 1, actual: 2 });
    expect(store.getSession('s1')).toMatchObject({ stage: 'outline', version: 2 });
    expect(store.listEvents('s1')).toHaveLength(0);
    expect(store.pendingOutbox()).toBe(before);
    expect(store.listScriptVersions('s1')).toHaveLength(0);
    expect(() => store.commit('nope', 1, {})).toThrow(StaleSessionError);
    store.close();
  });

  it('records an inbound event id once', () => {
    const store = open();
    expect(store.recordInbound('slack:Ev1', 'slack')).toBe(true);
    expect(store.recordInbound('slack:Ev1', 'slack')).toBe(false);
    expect(store.recordInbound('slack:Ev2', 'slack')).toBe(true);
    store.close();
  });

  it('writes a step and its inbound dedupe row together, or neither', () => {
    const store = open();
    const row = store.createSession(session('d1'), { inbound: { id: 'slack:EvA', platform: 'slack' } });
    expect(store.hasInbound('slack:EvA')).toBe(true);
    // A stale step writes neither its change nor its dedupe row.
    expect(() =>
      store.commit('d1', row.version + 5, {
        inbound: { id: 'slack:EvB', platform: 'slack' },
        patch: { goal: 'x' },
      }),
    ).toThrow(StaleSessionError);
    expect(store.hasInbound('slack:EvB')).toBe(false);
    // A repeated event id writes nothing either.
    expect(() =>
      store.commit('d1', row.version, {
        inbound: { id: 'slack:EvA', platform: 'slack' },
        patch: { goal: 'y' },
      }),
    ).toThrow(DuplicateInboundError);
    expect(store.getSession('d1')!.goal).not.toBe('y');
    store.close();
  });

  it('stores a blob once per session by content hash', () => {
    const store = open();
    store.createSession(session('b1'));
    const bytes = new TextEncoder().encode('a,b\n');
    const first = store.putBlob('b1', 'in.csv', bytes);
    const again = store.putBlob('b1', 'copy.csv', bytes);
    expect(again).toEqual({ ...first, created: false });
    expect(first.created).toBe(true);
    expect(store.getBlob(first.id)).toMatchObject({ name: 'in.csv', size: 4, sessionId: 'b1' });
    expect(store.blobUsage('b1')).toEqual({ count: 1, bytes: 4 });
    store.close();
  });

  it('claims outbox rows in order per thread and never two of one thread at once', () => {
    const store = open();
    store.createSession(session('a'));
    store.createSession(session('b'));
    store.enqueue('a', [
      { threadKey: 'memory:C1:a', payload: { n: 1 }, key: 'status' },
      { threadKey: 'memory:C1:a', payload: { n: 2 } },
    ]);
    store.enqueue('b', [{ threadKey: 'memory:C2:b', payload: { n: 3 } }]);
    const first = store.claimOutbox(1000, 10);
    expect(first.map((r) => r.payload)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(first[0]).toMatchObject({ status: 'sending', attempts: 1 });
    expect(store.claimOutbox(1000, 10)).toEqual([]);
    store.markSent(first[0]!.id, { messageId: 'm1' });
    store.markFailed(first[1]!.id, '429', 5000);
    expect(store.claimOutbox(1000, 10).map((r) => r.payload)).toEqual([{ n: 2 }]);
    expect(store.claimOutbox(6000, 10).map((r) => r.payload)).toEqual([{ n: 3 }]);
    expect(store.findMessageRef('a', 'memory:C1:a', 'status')).toEqual({ messageId: 'm1' });
    expect(store.findMessageRef('a', 'memory:C1:a', 'other')).toBeUndefined();
    store.close();
  });

  it('claims one row per channel, threads holding an answer to a person first, within only/skip', () => {
    const store = open();
    store.enqueue(null, [
      { threadKey: 'slack:C1:a', key: 'status:generate:1', payload: { n: 1 } },
      { threadKey: 'slack:C1:b', key: 'status:generate:1', payload: { n: 2 } },
      { threadKey: 'slack:C1:b', payload: { n: 3 } },
      { threadKey: 'slack:C2:c', key: 'status:qa:1', payload: { n: 4 } },
      { threadKey: 'discord:D1:d', payload: { n: 5 } },
    ]);
    expect(store.outboxBacklog()).toEqual([
      { channel: 'slack:C1:', queued: 3, oldestAt: expect.any(Number) },
      { channel: 'discord:D1:', queued: 1, oldestAt: expect.any(Number) },
      { channel: 'slack:C2:', queued: 1, oldestAt: expect.any(Number) },
    ]);
    // Thread b holds a non-status row, so its head goes before thread a's, and before C2's status.
    const slack = store.claimOutbox(1000, 10, undefined, { only: 'slack:' });
    expect(slack.map((r) => r.payload)).toEqual([{ n: 2 }, { n: 4 }]);
    expect(store.claimOutbox(1000, 10, undefined, { only: 'slack:', skip: ['slack:C1:'] })).toEqual([]);
    expect(store.claimOutbox(1000, 10, undefined, { skip: ['slack:', '=discord:D1:d'] })).toEqual([]);
    expect(
      store.claimOutbox(1000, 10, undefined, { skip: ['slack:', '=discord:D1:'] }).map((r) => r.payload),
    ).toEqual([{ n: 5 }]);
    store.close();
  });

  it("hands out only answers, or no edits, or only answers' edits when asked (paced channels, edit budgets)", () => {
    const store = open();
    store.enqueue(null, [
      { threadKey: 'slack:C1:a', key: 'status:x:1', payload: { n: 1, replacesKey: 'status:x:1' } },
    ]);
    store.enqueue(null, [
      {
        threadKey: 'slack:C2:b',
        key: 'buttons:1',
        payload: { n: 2, replacesKey: 'buttons:1', replaceOnly: true },
      },
      { threadKey: 'slack:C2:b', payload: { n: 3 } },
    ]);
    store.enqueue(null, [{ threadKey: 'slack:C3:c', payload: { n: 4 } }]);
    const claim = (options: ClaimOptions) =>
      store.claimOutbox(1000, 10, undefined, options).map((r) => (r.payload as { n: number }).n);
    // Only answers, and no edits: the answer's head is an edit, so nothing.
    expect(claim({ answersOnly: ['slack:'], edits: 'none' })).toEqual([]);
    // No edits: the plain post only.
    expect(claim({ edits: 'none' })).toEqual([4]);
    // Only answers, their edits allowed: the closing edit.
    expect(claim({ answersOnly: ['slack:'], edits: 'answers' })).toEqual([2]);
    // Edits of answers only: the progress edit still waits.
    expect(claim({ edits: 'answers' })).toEqual([]);
    expect(claim({})).toEqual([1]);
    store.close();
  });

  it('requeues rows left sending by a crashed process, flagged as maybe sent', () => {
    const store = open();
    store.enqueue(null, [{ threadKey: 'memory:C1:x', payload: { n: 1 } }]);
    expect(store.claimOutbox(0, 10)).toHaveLength(1);
    expect(store.claimOutbox(0, 10)).toHaveLength(0);
    expect(store.requeueSending()).toBe(1);
    const again = store.claimOutbox(0, 10);
    expect(again).toHaveLength(1);
    expect(again[0]!.attempts).toBe(2);
    expect(again[0]!.maybeSent).toBe(true);
    store.markFailed(again[0]!.id, 'bad request');
    expect(store.pendingOutbox()).toBe(0);
    store.close();
  });

  it('lists resumable (working) sessions only', () => {
    const store = open();
    store.createSession(session('w1'));
    store.createSession(session('w2', { status: 'waiting' }));
    store.createSession(session('w3', { status: 'done' }));
    store.createSession(session('w4'));
    expect(
      store
        .listResumable()
        .map((s) => s.id)
        .sort(),
    ).toEqual(['w1', 'w4']);
    expect(store.listSessions({ ownerId: 'memory:U1' })).toHaveLength(4);
    expect(store.listSessions({ ownerId: 'memory:U2' })).toHaveLength(0);
    store.close();
  });

  it('records llm calls, replays by key and sums usage', () => {
    const store = open();
    store.createSession(session('s1'));
    const call = {
      sessionId: 's1',
      stage: 'outline',
      callKey: 'outline:1',
      provider: 'openai',
      model: 'm',
      promptTokens: 100,
      completionTokens: 20,
      latencyMs: 5,
      costUsd: 0.001,
      outcome: 'ok',
      response: '{"a":1}',
    };
    store.recordLlmCall({ ...call, outcome: 'rate_limited', response: null, completionTokens: 0 });
    store.recordLlmCall(call);
    expect(store.findLlmCall('s1', 'outline:1')?.response).toBe('{"a":1}');
    expect(store.findLlmCall('s1', 'outline:2')).toBeUndefined();
    expect(store.usageTotals('s1')).toEqual({
      calls: 2,
      promptTokens: 200,
      completionTokens: 20,
      costUsd: 0.002,
    });
    expect(store.listLlmCalls('s1')).toHaveLength(2);
    store.close();
  });

  it('keeps events append-only and records reviews', () => {
    const store = open();
    store.createSession(session('s1'));
    store.appendEvent('s1', { type: 'comment', actor: 'memory:U9', data: { text: 'nice' } });
    store.addReview({ sessionId: 's1', reviewer: 'memory:U2', verdict: 'approved' });
    store.commit('s1', 1, {
      reviews: [{ sessionId: 's1', reviewer: 'memory:U3', verdict: 'changes_requested', comment: 'x' }],
    });
    expect(store.listReviews('s1').map((r) => r.verdict)).toEqual(['approved', 'changes_requested']);
    expect(store.listEvents('s1')[0]).toMatchObject({
      type: 'comment',
      actor: 'memory:U9',
      data: { text: 'nice' },
    });
    store.close();
  });

  it('grants the serving lease to one holder until it is released', () => {
    const store = open();
    store.acquireLease('pid-1', 10_000);
    expect(() => store.acquireLease('pid-2', 10_000)).toThrow(LeaseHeldError);
    store.acquireLease('pid-1', 10_000);
    store.releaseLease('pid-1');
    store.acquireLease('pid-2', 10_000);
    store.close();
  });
});

describe.each(backends)('SessionStore lease expiry (%s)', (_name, open) => {
  it('lets a new holder in once the old lease has expired', () => {
    let now = 0;
    const store = open({ now: () => now });
    store.acquireLease('old', 1_000);
    now = 500;
    expect(() => store.acquireLease('new', 1_000)).toThrow(LeaseHeldError);
    now = 1_001;
    store.acquireLease('new', 1_000);
    store.close();
  });
});
