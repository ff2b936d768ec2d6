import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { slackCheck } from '../../../src/doctor/slack.js';
import { BOT_TOKEN, SIGNING_SECRET, type SlackServer, startSlackServer } from '../../fakes/slack-server.js';

let slack: SlackServer;
beforeEach(async () => {
  slack = await startSlackServer();
});
afterEach(async () => {
  await slack.close();
});

const config = (extra: Record<string, string>) =>
  loadConfig(
    {
      FF2_DATA_DIR: '/tmp/ff2-slack-doctor',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      ...extra,
    },
    '/tmp',
  );

it('passes when the bot token (HTTP mode) or both tokens (Socket Mode) are accepted', async () => {
  expect(await slackCheck.run(config({ SLACK_SIGNING_SECRET: SIGNING_SECRET }))).toMatchObject({
    ok: true,
    detail: expect.stringContaining('HTTP mode'),
  });
  expect(await slackCheck.run(config({ SLACK_APP_TOKEN: 'xapp-test' }))).toMatchObject({
    ok: true,
    detail: expect.stringContaining('Socket Mode'),
  });
  expect(slack.of('apps.connections.open')[0]?.authorization).toBe('Bearer xapp-test');
});

it('names the token to fix when Slack refuses it', async () => {
  slack.failNext('auth.test', { body: { ok: false, error: 'invalid_auth' } });
  const bot = await slackCheck.run(config({ SLACK_SIGNING_SECRET: SIGNING_SECRET }));
  expect(bot).toMatchObject({
    ok: false,
    detail: expect.stringContaining('invalid_auth'),
    fix: expect.stringContaining('SLACK_BOT_TOKEN'),
  });
  slack.failNext('apps.connections.open', { body: { ok: false, error: 'not_allowed_token_type' } });
  const app = await slackCheck.run(config({ SLACK_APP_TOKEN: 'xoxb-wrong' }));
  expect(app).toMatchObject({ ok: false, fix: expect.stringContaining('SLACK_APP_TOKEN') });
});

it('is fine when Slack is not configured', async () => {
  expect(await slackCheck.run(loadConfig({ FF2_DATA_DIR: '/tmp/ff2-slack-doctor' }, '/tmp'))).toMatchObject({
    ok: true,
  });
});
