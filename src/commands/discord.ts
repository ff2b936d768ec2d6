import { FF2_COMMAND, inviteUrl } from '../bots/discord/command.js';
import { createDiscordRest } from '../bots/discord/create.js';
import { toAdapterError } from '../bots/discord/errors.js';
import { loadConfig } from '../config.js';
import { ConfigError, UsageError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

export const discordCommand: Command = {
  name: 'discord',
  summary: 'register the /ff2 command with Discord and print the invite URL',
  usage: `Usage: ff2 discord register [--guild <id>]

Registers the /ff2 slash command for the app in DISCORD_APP_ID (token: DISCORD_TOKEN) and prints
the URL that adds the bot to a server with the permissions it needs.

  --guild <id>   register in one server (appears at once); default DISCORD_GUILD_ID,
                 else globally (can take up to an hour to appear everywhere)`,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'register') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
    const { values } = parseCommandArgs({ args: rest, options: { guild: { type: 'string' } }, strict: true });
    const config = loadConfig(io.env, io.cwd);
    const client = await createDiscordRest(config);
    if (!config.discord || !client) {
      throw new ConfigError(
        'DISCORD_TOKEN',
        'DISCORD_TOKEN and DISCORD_APP_ID are required; copy them from the Discord developer portal (Bot → Token, General Information → Application ID)',
      );
    }
    const { appId } = config.discord;
    const guildId = values.guild ?? config.discord.guildId;
    const route = guildId
      ? (`/applications/${appId}/guilds/${guildId}/commands` as const)
      : (`/applications/${appId}/commands` as const);
    try {
      await client.put(route, { body: [FF2_COMMAND] });
    } catch (error) {
      io.err(`ff2 discord: could not register /ff2: ${toAdapterError(error, 'register').message}\n`);
      return 1;
    }
    io.out(
      `Registered /ff2 ${guildId ? `in server ${guildId} (available now)` : 'globally (can take up to an hour to appear)'}.\n` +
        `Add the bot to a server: ${inviteUrl(appId)}\n`,
    );
    return 0;
  },
};
