import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function counts(dbPath: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const n = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      sessions: n('sessions'),
      events: n('events'),
      outbox: n('outbox'),
      inbound: n('inbound_events'),
    };
  } finally {
    db.close();
  }
}

describe('Slack access lists', () => {
  it('refuses a user who is not listed, privately, naming who to ask, and stores only the dedupe row', async () => {
    h = await startSlackHarness(referenceGoalScript(), { FF2_ALLOWED_USERS: 'slack:U1,discord:*' });
    const posts = h.slack.of('chat.postMessage').length;
    const ack = await h.slack.command(h.botUrl, { text: REFERENCE_GOAL, user_id: 'U2', channel_id: 'C1' });
    expect(ack.status).toBe(200);
    const refusal = await h.slack.waitFor((c) => c.method === 'response');
    await h.idle();
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refusal.body.text)).toContain('not enabled for your account');
    expect(String(refusal.body.text)).toContain('UAPPROVER');
    // No root message, no session, no outbox row, no event: only the dedupe row.
    expect(h.slack.of('chat.postMessage').length).toBe(posts);
    expect(counts(h.dbPath)).toEqual({ sessions: 0, events: 0, outbox: 0, inbound: 1 });

    // The listed user still gets a session.
    const thread = await h.command(REFERENCE_GOAL, 'U1');
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_outline');
  });

  it('refuses /ff2 in a channel or workspace that is not listed', async () => {
    h = await startSlackHarness(referenceGoalScript(), {
      FF2_ALLOWED_CHANNELS: 'slack:C9',
      FF2_ALLOWED_TEAMS: 'slack:T1',
    });
    await h.slack.command(h.botUrl, { text: REFERENCE_GOAL, user_id: 'U1', channel_id: 'C1' });
    const refusal = await h.slack.waitFor((c) => c.method === 'response');
    expect(String(refusal.body.text)).toContain('not enabled in this channel');
    await h.slack.command(h.botUrl, { text: REFERENCE_GOAL, user_id: 'U1', channel_id: 'C9', team_id: 'T7' });
    await h.slack.waitFor((c) => c.method === 'response' && String(c.body.text).includes('this workspace'));
    await h.idle();
    expect(h.slack.of('chat.postMessage')).toHaveLength(0);
    expect(counts(h.dbPath).sessions).toBe(0);
  });

  it('downloads a .py on the starting mention only after the sender passed the access list and the quota', async () => {
    h = await startSlackHarness(referenceGoalScript(), {
      FF2_ALLOWED_USERS: 'slack:U1',
      FF2_MAX_ACTIVE_SESSIONS_PER_USER: '1',
    });
    const mention = async (user: string, ts: string, eventId: string) => {
      const file = h!.slack.addFile('mine.py', new TextEncoder().encode('print("hi")\n'));
      await h!.slack.event(
        h!.botUrl,
        { type: 'app_mention', channel: 'C1', user, text: '<@UBOT0001> add a flag', ts, files: [file] },
        eventId,
      );
      await h!.idle();
    };
    // Not on the access list: refused, and the file is never fetched.
    await mention('U2', '1716000000.000001', 'EvRefused');
    await h.slack.waitFor(
      (c) => c.method === 'chat.postEphemeral' && String(c.body.text).includes('not enabled'),
    );
    expect(h.slack.of('download')).toHaveLength(0);
    expect(counts(h.dbPath).sessions).toBe(0);
    // Listed: the script is fetched and becomes the session's version 1.
    await mention('U1', '1716000000.000002', 'EvFirst');
    expect(h.slack.of('download')).toHaveLength(1);
    expect(h.store.listScriptVersions(h.session('1716000000.000002').id)[0]?.code).toBe('print("hi")\n');
    // Over the quota (one active session): refused before any fetch.
    await mention('U1', '1716000000.000003', 'EvOverQuota');
    await h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && /active/i.test(String(c.body.text)));
    expect(h.slack.of('download')).toHaveLength(1);
    expect(counts(h.dbPath).sessions).toBe(1);
  });

  it('refuses a .py on the starting mention that is over FF2_MAX_INPUT_MB without fetching it', async () => {
    h = await startSlackHarness(referenceGoalScript(), { FF2_MAX_INPUT_MB: '1' });
    const file = h.slack.addFile('big.py', new Uint8Array(1024 * 1024 + 1).fill(0x23));
    await h.slack.event(
      h.botUrl,
      {
        type: 'app_mention',
        channel: 'C1',
        user: 'U1',
        text: '<@UBOT0001> tidy it',
        ts: '1716000000.000009',
        files: [file],
      },
      'EvBig',
    );
    await h.idle();
    const refusal = await h.slack.waitFor(
      (c) => c.method === 'chat.postEphemeral' && String(c.body.text).includes('larger than'),
    );
    expect(String(refusal.body.text)).toContain('big.py');
    expect(h.slack.of('download')).toHaveLength(0);
    expect(counts(h.dbPath).sessions).toBe(0);
  });
});
