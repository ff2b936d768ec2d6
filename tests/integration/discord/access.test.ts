import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordStandIn, until } from '../../fakes/discord-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { DiscordHarness, OWNER, STRANGER } from './harness.js';

let server: DiscordStandIn;
let h: DiscordHarness | undefined;

beforeEach(async () => {
  server = await DiscordStandIn.start();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await server.close();
});

describe('Discord access lists', () => {
  it('leaves a guild that is not in FF2_ALLOWED_GUILDS', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript(), { FF2_ALLOWED_GUILDS: 'discord:42' });
    await until(
      () =>
        server.calls.some((c) => c.method === 'DELETE' && c.path === `/users/@me/guilds/${server.guildId}`),
      5_000,
      'the bot to leave the guild',
    );
  });

  it('stays in a listed guild', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript(), {
      FF2_ALLOWED_GUILDS: `discord:${server.guildId}`,
    });
    const thread = await h.command(REFERENCE_GOAL);
    expect(h.session(thread).stage).toBe('approve_outline');
    expect(server.calls.some((c) => c.path.startsWith('/users/@me/guilds/'))).toBe(false);
  });

  it('refuses /ff2 from a user who is not listed: private note, no thread, no session', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript(), {
      FF2_ALLOWED_USERS: `discord:${OWNER}`,
      FF2_APPROVERS: `discord:${OWNER}`,
    });
    const { id, token } = server.slashCommand(REFERENCE_GOAL, STRANGER);
    await h.settle(id);
    const refusal = await server.waitFor(
      (c) => c.method === 'POST' && c.path === `/webhooks/${server.appId}/${token}`,
    );
    expect(refusal.body).toMatchObject({ flags: 64 });
    expect(refusal.body.content).toContain('not enabled for your account');
    expect(refusal.body.content).toContain(OWNER);
    // The public "thinking…" reply was removed and no thread was opened.
    expect(server.calls.some((c) => c.method === 'DELETE' && c.path.endsWith('/messages/@original'))).toBe(
      true,
    );
    expect(server.threads.size).toBe(0);
    expect(h.store.listSessions()).toHaveLength(0);
  });

  it("does not download a stranger's attachment; the owner's is stored once by hash", async () => {
    h = await DiscordHarness.start(server, referenceGoalScript());
    const thread = await h.command(REFERENCE_GOAL);
    await h.click(thread, 'Approve');
    const csv = Buffer.from('id,name\n1,a\n');
    await h.say(thread, 'mine now', STRANGER, [{ name: 'people.csv', bytes: csv }]);
    expect(server.downloads).toEqual([]);
    await h.say(thread, 'sample', OWNER, [{ name: 'people.csv', bytes: csv }]);
    await h.say(thread, 'again', OWNER, [{ name: 'same.csv', bytes: csv }]);
    expect(server.downloads).toHaveLength(2);
    expect(h.store.blobUsage(h.session(thread).id)).toEqual({ count: 1, bytes: csv.length });
  });

  it('downloads the script option only after the sender passed the access list', async () => {
    h = await DiscordHarness.start(server, referenceGoalScript(), {
      FF2_ALLOWED_USERS: `discord:${OWNER}`,
      FF2_APPROVERS: `discord:${OWNER}`,
    });
    const script = { name: 'mine.py', bytes: Buffer.from('print("hi")\n') };
    const { id, token } = server.slashCommand('add a flag', STRANGER, undefined, { script });
    await h.settle(id);
    const refusal = await server.waitFor(
      (c) => c.method === 'POST' && c.path === `/webhooks/${server.appId}/${token}`,
    );
    expect(refusal.body.content).toContain('not enabled for your account');
    expect(server.downloads).toEqual([]);
    expect(h.store.listSessions()).toHaveLength(0);
    const owner = server.slashCommand('add a flag', OWNER, undefined, { script });
    await h.settle(owner.id);
    expect(server.downloads).toHaveLength(1);
    const session = h.store.listSessions()[0]!;
    expect(h.store.listScriptVersions(session.id)[0]?.code).toBe('print("hi")\n');
  });
});
