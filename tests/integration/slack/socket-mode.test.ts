import { afterEach, expect, it } from 'vitest';
import type { SlackAdapter } from '../../../src/bots/slack/adapter.js';
import { createSlackFrontDoor } from '../../../src/bots/slack/create.js';
import type { ChatEvent } from '../../../src/bots/types.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { BOT_TOKEN, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';

let slack: SlackServer | undefined;
let adapter: SlackAdapter | undefined;

afterEach(async () => {
  await adapter?.stop();
  await slack?.close();
});

it('runs over Socket Mode: connects with the app token, acks a /ff2 envelope, starts a session', async () => {
  slack = await startSlackServer();
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: 'xapp-test',
      SLACK_API_URL: slack.apiUrl,
      FF2_DATA_DIR: '/tmp/ff2-slack-socket',
    },
    '/tmp',
  );
  adapter = await createSlackFrontDoor(config, silentLogger);
  const events: ChatEvent[] = [];
  await adapter!.start(async (event) => {
    // Like the router: an admitted start opens its thread (the root message) first.
    if (event.kind === 'start' && event.openThread) {
      const threadId = await event.openThread();
      if (!threadId) return;
      event.thread = { ...event.thread, threadId };
    }
    events.push(event);
  });
  expect(adapter!.port).toBeUndefined();
  const open = await slack.waitFor((c) => c.method === 'apps.connections.open');
  expect(open.authorization).toBe('Bearer xapp-test');
  for (let i = 0; i < 200 && slack.sockets() === 0; i++) await new Promise((r) => setTimeout(r, 10));

  const ack = await slack.pushEnvelope('slash_commands', {
    command: '/ff2',
    text: 'a csv deduper',
    user_id: 'U1',
    user_name: 'ann',
    channel_id: 'C1',
    team_id: 'T1',
    api_app_id: 'A1',
    trigger_id: 'trig.socket',
    response_url: `${slack.url}/response/1`,
  });
  expect(ack.envelope_id).toBeTruthy();
  const root = await slack.waitFor((c) => c.method === 'chat.postMessage');
  expect(root.body).toMatchObject({ channel: 'C1', text: '<@U1> started: a csv deduper' });
  for (let i = 0; i < 200 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(events[0]).toMatchObject({
    kind: 'start',
    id: 'trig.socket',
    goal: 'a csv deduper',
    thread: { channelId: 'C1' },
  });

  await adapter!.stop();
  for (let i = 0; i < 200 && slack.sockets() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(slack.sockets()).toBe(0);
});
