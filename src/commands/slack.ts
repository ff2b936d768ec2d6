import { BOT_SCOPES, slackManifest } from '../bots/slack/manifest.js';
import { UsageError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

const USAGE = `Usage: ff2 slack manifest [--http <public-url>] [--name <app-name>]

Prints a ready-to-paste Slack app manifest (YAML): the /ff2 slash command, bot scopes, the
app_mention and message.channels/message.groups events, interactivity, and Socket Mode.
Paste it at https://api.slack.com/apps → "Create New App" → "From a manifest".

  --http <url>   HTTP mode instead of Socket Mode: request URLs point at <url>/slack/events
                 (the public https address of "ff2 serve", which listens on FF2_HTTP_PORT)
  --name <name>  app and bot name (default ff2)`;

export const slackCommand: Command = {
  name: 'slack',
  summary: 'Slack helpers: print the app manifest to create the ff2 Slack app',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCommandArgs({
      args,
      options: { http: { type: 'string' }, name: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const [sub, ...extra] = parsed.positionals;
    if (sub !== 'manifest' || extra.length > 0) throw new UsageError('expected: ff2 slack manifest');
    const { http, name } = parsed.values;
    if (http !== undefined && !/^https?:\/\/[^\s/]+/.test(http)) {
      throw new UsageError(`--http needs a URL such as https://ff2.example.com (got "${http}")`);
    }
    io.out(slackManifest({ ...(http ? { publicUrl: http } : {}), ...(name ? { name } : {}) }));
    if (io.stdoutIsTTY) {
      io.err(
        `\nScopes: ${BOT_SCOPES.map(([s]) => s).join(', ')}.\nAfter installing: SLACK_BOT_TOKEN=xoxb-… and ${http ? 'SLACK_SIGNING_SECRET=…' : 'SLACK_APP_TOKEN=xapp-… (connections:write)'}, then ff2 serve.\n`,
      );
    }
    return 0;
  },
};
