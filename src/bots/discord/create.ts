import { createRequire } from 'node:module';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { guildAllowed } from '../access.js';

/**
 * The Discord front door when DISCORD_TOKEN/DISCORD_APP_ID are set, else undefined. discord.js is
 * loaded only here. An explicit undici Agent avoids the clash with @slack/bolt in one process;
 * message posts reject on 429 so the outbox (not the library) waits out `retry_after`.
 */
export async function createDiscordFrontDoor(
  config: Readonly<Config>,
  logger: Logger,
): Promise<import('./adapter.js').DiscordAdapter | undefined> {
  if (!config.discord) return undefined;
  const { Client, GatewayIntentBits } = await import('discord.js');
  const { DiscordAdapter } = await import('./adapter.js');
  const { rejectMessageRateLimits } = await import('./errors.js');
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { ...discordRestOptions(config), rejectOnRateLimit: rejectMessageRateLimits },
    allowedMentions: { parse: [] },
    // Many workers: each connects its own gateway shards (FF2_DISCORD_SHARDS).
    ...(config.discord.shards
      ? { shards: config.discord.shards.ids, shardCount: config.discord.shards.count }
      : {}),
  });
  const limits = config.delivery.discord;
  return new DiscordAdapter({
    client,
    token: config.discord.token,
    logger,
    keepGuild: (guildId) => guildAllowed(config.access, guildId),
    perChannelIntervalMs: limits.channelIntervalMs,
    perChannelBurst: limits.channelBurst,
    maxInFlight: limits.maxInFlight,
    ...(limits.maxPerSecond !== undefined ? { maxPerSecond: limits.maxPerSecond } : {}),
  });
}

/** A bare Discord REST client for one-off calls (`ff2 discord register`). */
export async function createDiscordRest(
  config: Readonly<Config>,
): Promise<import('discord.js').REST | undefined> {
  if (!config.discord) return undefined;
  const { REST } = await import('discord.js');
  return new REST(discordRestOptions(config)).setToken(config.discord.token);
}

function discordRestOptions(config: Readonly<Config>) {
  // An explicit Agent from the undici copy @discordjs/rest itself uses: with @slack/bolt loaded,
  // the global dispatcher belongs to another undici and file uploads break; undici's request is
  // also about twice as fast as fetch under a burst of interactions.
  const restRequire = createRequire(createRequire(import.meta.url).resolve('@discordjs/rest'));
  const { Agent } = restRequire('undici') as { Agent: new (options?: object) => unknown };
  return {
    ...(config.discord?.apiUrl ? { api: config.discord.apiUrl.replace(/\/+$/, '') } : {}),
    agent: new Agent({ keepAliveTimeout: 30_000 }) as import('discord.js').RESTOptions['agent'],
    retries: 1,
    timeout: 15_000,
  };
}
