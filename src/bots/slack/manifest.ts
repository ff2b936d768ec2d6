/**
 * The Slack app manifest ff2 needs (paste it at api.slack.com/apps → Create New App → From a
 * manifest). Socket Mode by default; with a public base URL, HTTP mode with request URLs instead.
 */

export interface ManifestOptions {
  /** App and bot display name. Default "ff2". */
  name?: string;
  /** Public https base URL of `ff2 serve` in HTTP mode (e.g. https://ff2.example.com); absent: Socket Mode. */
  publicUrl?: string;
}

/** Bot scopes, each with why ff2 needs it (also printed in the README). */
export const BOT_SCOPES: readonly (readonly [scope: string, why: string])[] = [
  ['commands', 'the /ff2 slash command'],
  ['app_mentions:read', 'start a session by mentioning the bot'],
  ['chat:write', 'post in session threads and update status messages'],
  ['chat:write.public', 'post the root message in public channels the bot was not invited to'],
  ['channels:history', 'read replies in session threads (public channels)'],
  ['groups:history', 'read replies in session threads (private channels the bot was invited to)'],
  ['files:read', 'download files people attach in a session thread'],
  ['files:write', 'upload scripts, diffs, logs and screenshots into the thread'],
];

export const BOT_EVENTS = ['app_mention', 'message.channels', 'message.groups'] as const;

/** Renders the manifest as YAML (a fixed shape, so no YAML library is needed). */
export function slackManifest(options: ManifestOptions = {}): string {
  const name = yamlString(options.name?.trim() || 'ff2');
  const base = options.publicUrl?.replace(/\/+$/, '');
  const eventsUrl = base ? yamlString(`${base}/slack/events`) : undefined;
  const lines = [
    'display_information:',
    `  name: ${name}`,
    '  description: Turns a goal typed in a thread into a working, tested Python script.',
    '  background_color: "#1d3b53"',
    'features:',
    '  bot_user:',
    `    display_name: ${name}`,
    '    always_online: true',
    '  slash_commands:',
    '    - command: /ff2',
    '      description: Turn a goal into a tested Python script (or help, list, cancel)',
    '      usage_hint: "<goal> | help | list | cancel <session>"',
    '      should_escape: true',
    ...(eventsUrl ? [`      url: ${eventsUrl}`] : []),
    'oauth_config:',
    '  scopes:',
    '    bot:',
    ...BOT_SCOPES.map(([scope]) => `      - ${scope}`),
    'settings:',
    '  event_subscriptions:',
    ...(eventsUrl ? [`    request_url: ${eventsUrl}`] : []),
    '    bot_events:',
    ...BOT_EVENTS.map((e) => `      - ${e}`),
    '  interactivity:',
    '    is_enabled: true',
    ...(eventsUrl ? [`    request_url: ${eventsUrl}`] : []),
    '  org_deploy_enabled: false',
    `  socket_mode_enabled: ${base ? 'false' : 'true'}`,
    '  token_rotation_enabled: false',
  ];
  return `${lines.join('\n')}\n`;
}

function yamlString(value: string): string {
  return JSON.stringify(value);
}
