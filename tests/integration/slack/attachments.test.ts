import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_CSV, REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function raw<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

async function atRunGate(harness: SlackHarness): Promise<string> {
  const thread = await harness.command(REFERENCE_GOAL);
  await harness.idle();
  await harness.click('Approve', thread);
  await harness.idle();
  expect(harness.session(thread).stage).toBe('approve_run');
  return thread;
}

describe('Slack attachments', () => {
  it('never downloads a file from someone who may not steer the session', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await atRunGate(h);
    await h.attach(thread, 'people.csv', new TextEncoder().encode(REFERENCE_CSV), 'USTRANGER');
    await h.idle();
    expect(h.slack.of('download')).toHaveLength(0);
    const session = h.session(thread);
    expect(
      h.store.listEvents(session.id).some((e) => e.type === 'comment' && e.actor === 'slack:USTRANGER'),
    ).toBe(true);
    expect(h.store.blobUsage(session.id)).toEqual({ count: 0, bytes: 0 });
  });

  it('stores a file once per session by hash; state and outbox rows hold blob ids, not bytes', async () => {
    h = await startSlackHarness(referenceGoalScript());
    const thread = await atRunGate(h);
    const bytes = new TextEncoder().encode(REFERENCE_CSV);
    await h.attach(thread, 'people.csv', bytes);
    await h.idle();
    await h.attach(thread, 'people.csv', bytes);
    await h.idle();
    expect(h.slack.of('download')).toHaveLength(2);
    const session = h.session(thread);
    const blobs = raw<{ id: number; session_id: string; size: number }>(
      h.dbPath,
      `SELECT id, session_id, size FROM blobs WHERE session_id = '${session.id}' AND name = 'people.csv'`,
    );
    expect(blobs).toEqual([{ id: expect.any(Number), session_id: session.id, size: bytes.length }]);
    const state = session.state as { runInput: { files: Record<string, string> } };
    expect(state.runInput.files).toEqual({ 'people.csv': `blob:${blobs[0]!.id}` });
    expect(JSON.stringify(session.state)).not.toContain(
      Buffer.from(REFERENCE_CSV).toString('base64').slice(0, 20),
    );

    await h.click('Run', thread);
    await h.idle();
    const run = h.runs.find((r) => r.inputFiles?.['people.csv']);
    expect(new TextDecoder().decode(run!.inputFiles!['people.csv'])).toBe(REFERENCE_CSV);
    // Outbox rows with files (script.py, run output) reference blobs; none carries base64.
    const payloads = raw<{ payload: string }>(
      h.dbPath,
      "SELECT payload FROM outbox WHERE payload LIKE '%files%'",
    );
    expect(payloads.length).toBeGreaterThan(0);
    for (const { payload } of payloads) {
      for (const file of (JSON.parse(payload) as { files?: object[] }).files ?? []) {
        expect(file).toHaveProperty('blobId');
        expect(file).not.toHaveProperty('base64');
      }
    }
    // ...and the files still reached Slack.
    expect(h.slack.of('files.getUploadURLExternal').length).toBeGreaterThan(0);
  });

  it('refuses unsafe names and over-limit files before downloading, and the session keeps working', async () => {
    h = await startSlackHarness(referenceGoalScript(), { FF2_MAX_FILES_PER_SESSION: '1' });
    const thread = await atRunGate(h);
    for (const name of ['../etc.csv', 'main.py', 'a/b.csv']) {
      await h.attach(thread, name, new TextEncoder().encode('x'));
      await h.idle();
    }
    expect(h.slack.of('download')).toHaveLength(0);
    const notes = h.slack.of('chat.postEphemeral').map((c) => String(c.body.text));
    expect(notes.filter((t) => t.includes('did not take'))).toHaveLength(3);
    await h.attach(thread, 'one.csv', new TextEncoder().encode('a\n'));
    await h.idle();
    await h.attach(thread, 'two.csv', new TextEncoder().encode('b\n'));
    await h.idle();
    expect(h.slack.of('download')).toHaveLength(1);
    expect(h.slack.of('chat.postEphemeral').at(-1)!.body.text).toContain('FF2_MAX_FILES_PER_SESSION=1');
    await h.click('Run', thread);
    await h.idle();
    // The accepted file ran (the reference script rejects its content: repair or feedback follows).
    expect(h.runs.some((r) => r.inputFiles?.['one.csv'])).toBe(true);
    expect(['give_feedback', 'after_repairs']).toContain(h.session(thread).stage);
  });
});
