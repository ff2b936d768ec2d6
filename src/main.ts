/**
 * The composition root: the only place that reads configuration and builds SDK clients.
 * Commands call these factories; nothing else constructs edges.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CliIo } from './commands/types.js';
import { type Config, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createPythonToolchain } from './python/toolchain.js';
import type { PythonToolchain } from './python/types.js';
import { ProcessSandbox } from './sandbox/bwrap.js';
import { defaultLimits } from './sandbox/limits.js';
import type { Sandbox } from './sandbox/types.js';
import { openStore } from './store/sqlite.js';
import type { SessionStore } from './store/types.js';

export function loadAppConfig(io: Pick<CliIo, 'env' | 'cwd'>): Readonly<Config> {
  return loadConfig(io.env, io.cwd);
}

export function createAppLogger(config: Readonly<Config>): Logger {
  return createLogger(config.logLevel);
}

/** Opens (creating and migrating) the configured database. */
export function createStore(config: Readonly<Config>): SessionStore {
  mkdirSync(config.dataDir, { recursive: true });
  mkdirSync(dirname(config.dbPath), { recursive: true });
  return openStore(config.dbPath);
}

/** The bubblewrap sandbox (FF2_SANDBOX_*); call `close()` when done. Refuses to run without bubblewrap. */
export function createSandbox(
  config: Readonly<Config>,
  logger?: Logger,
): Sandbox & { close(): Promise<void> } {
  const { python, slots, timeoutS, memoryMb } = config.sandbox;
  return new ProcessSandbox({
    python,
    slots,
    limits: defaultLimits({ timeoutS, memoryMb }),
    ...(logger ? { logger: logger.child('sandbox') } : {}),
  });
}

/** The Python analyser, run with the sandbox's interpreter (FF2_PYTHON). */
export function createToolchain(config: Readonly<Config>): PythonToolchain {
  return createPythonToolchain({ python: config.sandbox.python });
}

/**
 * The Discord front door when DISCORD_TOKEN/DISCORD_APP_ID are set, else undefined. discord.js is
 * loaded only here. `makeRequest: fetch` avoids the undici clash with @slack/bolt in one process;
 * message posts reject on 429 so the outbox (not the library) waits out `retry_after`.
 */
export async function createDiscordFrontDoor(
  config: Readonly<Config>,
  logger: Logger,
): Promise<import('./bots/discord/adapter.js').DiscordAdapter | undefined> {
  if (!config.discord) return undefined;
  const { Client, GatewayIntentBits } = await import('discord.js');
  const { DiscordAdapter } = await import('./bots/discord/adapter.js');
  const { rejectMessageRateLimits } = await import('./bots/discord/errors.js');
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { ...discordRestOptions(config), rejectOnRateLimit: rejectMessageRateLimits },
    allowedMentions: { parse: [] },
  });
  return new DiscordAdapter({
    client,
    token: config.discord.token,
    maxInputBytes: config.sandbox.maxInputBytes,
    logger,
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
  return {
    ...(config.discord?.apiUrl ? { api: config.discord.apiUrl.replace(/\/+$/, '') } : {}),
    makeRequest: fetch as unknown as import('discord.js').RESTOptions['makeRequest'],
    retries: 1,
    timeout: 15_000,
  };
}
