import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import { runCliCaptured } from '../../fakes/cli.js';

const DAY = 86_400_000;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database with one session that ended 40 days ago, one still open since then, one recent. */
function seed(dbPath: string) {
  const clock = { now: Date.now() - 40 * DAY };
  const store = openStore(dbPath, { now: () => clock.now });
  const make = (id: string) =>
    store.createSession(
      {
        id,
        threadKey: `slack:C1:${id}`,
        platform: 'slack',
        ownerId: 'slack:U1',
        goal: 'g',
        stage: 'interview',
        status: 'working',
        state: {},
      },
      {
        events: [{ type: 'goal' }],
        outbox: [
          {
            threadKey: `slack:C1:${id}`,
            payload: {
              text: 'hi',
              files: [{ name: 'script.py', base64: Buffer.from(`print("${id}")`).toString('base64') }],
            },
          },
        ],
      },
    );
  const old = make('old');
  const open = make('open');
  store.putBlob('old', 'in.csv', new TextEncoder().encode('a,b\n'));
  store.putBlob('open', 'in.csv', new TextEncoder().encode('c,d\n'));
  store.recordInbound('Ev-old', 'slack');
  // One row per channel per claim (the outbox's pacing): claim until both are delivered.
  for (let rows = store.claimOutbox(clock.now, 10); rows.length > 0; rows = store.claimOutbox(clock.now, 10))
    for (const row of rows) store.markSent(row.id, { ts: '1' });
  store.commit('old', old.version, {
    patch: { stage: 'shipped', status: 'done', state: { note: 'shipped summary' } },
    scriptVersion: { reason: 'generated', code: 'print("final")', diff: '' },
    events: [{ type: 'stage_done' }],
  });
  void open;
  clock.now = Date.now();
  make('recent');
  store.recordInbound('Ev-new', 'slack');
  store.close();
}

describe('ff2 prune', () => {
  it('counts with --dry-run, then deletes only what is past the window and keeps scripts and summaries', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ff2-prune-'));
    const dbPath = join(dir, 'ff2.db');
    seed(dbPath);
    const env = { FF2_DB: dbPath, FF2_DATA_DIR: dir, FF2_RETENTION_DAYS: '30' };

    const dry = await runCliCaptured(['prune', '--dry-run', '--json'], env, dir);
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.out) as { dryRun: boolean; deleted: Record<string, number> };
    // The ended session's attachment and posted file; its 2 events; 2 delivered old rows; 1 old dedupe row.
    expect(planned).toMatchObject({ dryRun: true, deleted: { blobs: 2, events: 2, outbox: 2, inbound: 1 } });
    const before = openStore(dbPath);
    expect(before.listEvents('old')).toHaveLength(2);
    before.close();

    const real = await runCliCaptured(['prune'], env, dir);
    expect(real.code).toBe(0);
    expect(real.out).toContain('Deleted (older than 30 days');
    expect(real.out).toContain('2 files');

    const after = openStore(dbPath);
    try {
      // Gone: the ended session's files and events, old dedupe rows.
      expect(after.listEvents('old')).toEqual([]);
      expect(after.hasInbound('Ev-old')).toBe(false);
      // Kept: every session, the final script, the summary, the open session's file and events, recent rows.
      expect(
        after
          .listSessions()
          .map((s) => s.id)
          .sort(),
      ).toEqual(['old', 'open', 'recent']);
      expect(after.listScriptVersions('old').at(-1)?.code).toBe('print("final")');
      expect(after.getSession('old')!.state).toEqual({ note: 'shipped summary' });
      expect(after.blobUsage('open')).toEqual({ count: 1, bytes: 4 });
      expect(after.listEvents('open')).toHaveLength(1);
      expect(after.hasInbound('Ev-new')).toBe(true);
      expect(after.pendingOutbox()).toBe(1);
    } finally {
      after.close();
    }
    // Outside pruning, events stay append-only.
    const raw = new Database(dbPath);
    expect(() => raw.prepare("DELETE FROM events WHERE session_id = 'open'").run()).toThrow(/append-only/);
    raw.close();
    const again = JSON.parse((await runCliCaptured(['prune', '--dry-run', '--json'], env, dir)).out);
    expect(again.deleted).toEqual({ blobs: 0, events: 0, outbox: 0, inbound: 0 });
  });
});
