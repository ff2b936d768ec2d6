import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';

const WRITER = join(import.meta.dirname, '../../fixtures/programs/store-writer.ts');
const dir = mkdtempSync(join(tmpdir(), 'ff2-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startWriter(
  db: string,
  id: string,
  max?: number,
): { child: ChildProcess; acks: number[]; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, db, id, ...(max ? [String(max)] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acks: number[] = [];
  let buffer = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') markReady();
      else if (line.startsWith('ack ')) acks.push(Number(line.slice(4)));
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, acks, ready, exited };
}

/** Every step is all-or-nothing: version, state, events, outbox and script versions agree. */
function assertConsistent(db: string, id: string, acked: number[]): number {
  const store = openStore(db);
  try {
    expect(store.integrityCheck()).toBe('ok');
    const session = store.getSession(id)!;
    const steps = session.version - 1;
    const events = store.listEvents(id).map((e) => (e.data as { n: number }).n);
    const versions = store.listScriptVersions(id);
    expect(events).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(versions).toHaveLength(steps);
    expect(store.pendingOutbox()).toBe(steps);
    if (steps > 0) expect(session.state).toEqual({ n: steps });
    for (const n of acked) expect(n).toBeLessThanOrEqual(steps);
    return steps;
  } finally {
    store.close();
  }
}

describe('store crash safety', () => {
  it('keeps every acknowledged commit and no half step across 20 SIGKILLs', async () => {
    const db = join(dir, 'crash.db');
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const writer = startWriter(db, 'crash');
      await writer.ready;
      // Kill at a random moment while commits are flowing.
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 60));
      writer.child.kill('SIGKILL');
      await writer.exited;
      const steps = assertConsistent(db, 'crash', writer.acks);
      expect(steps).toBeGreaterThanOrEqual(total);
      total = steps;
    }
    expect(total).toBeGreaterThan(20);
  }, 120_000);

  it('lets two processes write the same database concurrently without losing a commit', async () => {
    const db = join(dir, 'concurrent.db');
    openStore(db).close();
    const a = startWriter(db, 'a', 200);
    const b = startWriter(db, 'b', 200);
    await Promise.all([a.exited, b.exited]);
    expect(a.acks).toHaveLength(200);
    expect(b.acks).toHaveLength(200);
    const store = openStore(db);
    expect(store.getSession('a')!.version).toBe(201);
    expect(store.getSession('b')!.version).toBe(201);
    expect(store.pendingOutbox()).toBe(400);
    store.close();
  }, 60_000);
});
