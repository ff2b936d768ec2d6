import { createSlackWebClient } from '../bots/slack/create.js';
import { toAdapterError } from '../bots/slack/errors.js';
import type { DoctorCheck } from './types.js';

/**
 * When Slack is configured: the bot token is accepted (auth.test) and, in Socket Mode, the app
 * token can open a connection (apps.connections.open; the URL it returns is not used).
 */
export const slackCheck: DoctorCheck = {
  name: 'slack',
  async run(config) {
    const slack = config.slack;
    const bot = await createSlackWebClient(config);
    if (!slack || !bot) return { name: 'slack', ok: true, detail: 'not configured (SLACK_BOT_TOKEN unset)' };
    let who: string;
    try {
      const auth = await bot.auth.test();
      who = `bot ${auth.user ?? auth.user_id} in ${auth.team ?? auth.team_id}`;
    } catch (error) {
      return {
        name: 'slack',
        ok: false,
        detail: toAdapterError(error, 'auth.test').message,
        fix: 'set SLACK_BOT_TOKEN to the app\'s "Bot User OAuth Token" (xoxb-…, api.slack.com/apps → OAuth & Permissions) and check that slack.com (or SLACK_API_URL) is reachable',
      };
    }
    if (!slack.appToken) {
      return {
        name: 'slack',
        ok: true,
        detail: `${who}; HTTP mode on port ${config.httpPort} (POST /slack/events)`,
      };
    }
    try {
      const app = await createSlackWebClient(config, slack.appToken);
      await app!.apps.connections.open();
      return { name: 'slack', ok: true, detail: `${who}; Socket Mode` };
    } catch (error) {
      return {
        name: 'slack',
        ok: false,
        detail: `${who}; Socket Mode: ${toAdapterError(error, 'apps.connections.open').message}`,
        fix: 'set SLACK_APP_TOKEN to an app-level token with connections:write (api.slack.com/apps → Basic Information → App-Level Tokens), and enable Socket Mode',
      };
    }
  },
};
