import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StaleSessionError, StoreError } from '../../../src/errors.js';
import { SCHEMA_VERSION } from '../../../src/store/schema.js';
import { openStore } from '../../../src/store/sqlite.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tempDb(): string {
  dir = mkdtempSync(join(tmpdir(), 'ff2-mig-'));
  return join(dir, 'ff2.db');
}

describe('store migrations', () => {
  it('migrates an empty file and sets WAL, FULL sync and foreign keys', () => {
    const path = tempDb();
    openStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    for (const t of [
      'sessions',
      'script_versions',
      'runs',
      'events',
      'llm_calls',
      'outbox',
      'inbound_events',
      'reviews',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('reopens an existing database without losing data', () => {
    const path = tempDb();
    const first = openStore(path);
    first.createSession({
      id: 's1',
      threadKey: 'memory:C:s1',
      platform: 'memory',
      ownerId: 'memory:U',
      goal: 'g',
      stage: 'interview',
      status: 'waiting',
      state: { q: 1 },
    });
    first.close();
    const second = openStore(path);
    expect(second.getSession('s1')).toMatchObject({ goal: 'g', version: 1, state: { q: 1 } });
    second.close();
  });

  it('refuses a database from a newer ff2 with a clear error', () => {
    const path = tempDb();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => openStore(path)).toThrow(StoreError);
    expect(() => openStore(path)).toThrow(/newer than this ff2/);
  });

  it('names the path when the file cannot be opened', () => {
    tempDb();
    expect(() => openStore('/proc/ff2-nope/ff2.db')).toThrow(/cannot open database \/proc\/ff2-nope\/ff2.db/);
  });

  it('serialises two connections writing the same session: one wins, the other gets a stale error', () => {
    const path = tempDb();
    const a = openStore(path);
    const b = openStore(path);
    a.createSession({
      id: 's1',
      threadKey: 'memory:C:s1',
      platform: 'memory',
      ownerId: 'memory:U',
      goal: 'g',
      stage: 'interview',
      status: 'working',
      state: {},
    });
    const seen = b.getSession('s1')!;
    a.commit('s1', seen.version, { events: [{ type: 'from-a' }] });
    expect(() => b.commit('s1', seen.version, { events: [{ type: 'from-b' }] })).toThrow(StaleSessionError);
    // Interleaved writers on different sessions both land.
    for (let i = 0; i < 50; i++) {
      const store = i % 2 ? a : b;
      store.createSession({
        id: `x${i}`,
        threadKey: `memory:C:x${i}`,
        platform: 'memory',
        ownerId: 'memory:U',
        goal: 'g',
        stage: 's',
        status: 'working',
        state: {},
      });
    }
    expect(a.listSessions()).toHaveLength(51);
    expect(b.listEvents('s1').map((e) => e.type)).toEqual(['from-a']);
    a.close();
    b.close();
  });
});
