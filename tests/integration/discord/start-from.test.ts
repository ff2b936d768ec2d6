import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordStandIn } from '../../fakes/discord-server.js';
import { CRLF_TABS, ownScriptModel, templateModel } from '../../fakes/start-from-models.js';
import { DiscordHarness, OWNER } from './harness.js';

const UIDS = { TEST_UID_BASE: '66801' };
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

async function start(
  harness: DiscordHarness,
  goal: string,
  extra: Parameters<DiscordStandIn['slashCommand']>[3],
) {
  const { id } = server.slashCommand(goal, OWNER, undefined, extra);
  await harness.settle(id);
  const thread = [...server.threads.values()].at(-1);
  if (!thread) throw new Error('no thread was opened');
  return thread.id as string;
}

describe('/ff2 on Discord from a template or a script', { timeout: 60_000 }, () => {
  it('starts from the template option and reaches a passing run', async () => {
    h = await DiscordHarness.start(server, templateModel, UIDS);
    const thread = await start(h, 'filter a CSV and sort it', { template: 'csv-transform' });
    expect(h.session(thread).stage).toBe('approve_outline');
    expect(h.texts(thread).join('\n')).toContain('From template csv-transform: kept as is');
    await h.click(thread, 'Approve');
    expect(h.session(thread).stage).toBe('approve_run');
    await h.click(thread, 'Run');
    expect(h.session(thread).stage, h.texts(thread).slice(-2).join('\n')).toBe('give_feedback');
    expect(h.llm.calls.filter((c) => c.task === 'generate')).toHaveLength(1);
  });

  it('starts from the script option: version 1 byte for byte, no model call before the outline gate', async () => {
    h = await DiscordHarness.start(server, ownScriptModel, UIDS);
    const thread = await start(h, 'add a --shout flag', {
      script: { name: 'greet.py', bytes: Buffer.from(CRLF_TABS) },
    });
    expect(h.session(thread).stage).toBe('approve_outline');
    expect(h.llm.calls).toHaveLength(0);
    expect(h.store.listScriptVersions(h.session(thread).id)[0]!.code).toBe(CRLF_TABS);
    await h.click(thread, 'Approve');
    await h.click(thread, 'Approve');
    expect(h.session(thread).stage).toBe('approve_run');
    await h.click(thread, 'Run');
    expect(h.session(thread).stage, h.texts(thread).slice(-2).join('\n')).toBe('give_feedback');
  });
});
