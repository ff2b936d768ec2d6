/**
 * The composition root: the only place that reads configuration and builds SDK clients.
 * Commands call these factories; nothing else constructs edges.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { guildAllowed } from './bots/access.js';
import type { CliIo } from './commands/types.js';
import { type Config, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createScriptEnvironment, scriptPython } from './python/environment.js';
import { createPythonToolchain } from './python/toolchain.js';
import type { PythonToolchain, ScriptEnvironment } from './python/types.js';
import { ProcessSandbox } from './sandbox/bwrap.js';
import { assertOutsideSandbox } from './sandbox/host-paths.js';
import { defaultLimits } from './sandbox/limits.js';
import { openStore as openConfiguredStore } from './store/open.js';
import { openStore } from './store/sqlite.js';
import type { SessionStore } from './store/types.js';

/** The configuration; `platforms: false` for commands that use no chat platform (see loadConfig). */
export function loadAppConfig(
  io: Pick<CliIo, 'env' | 'cwd'>,
  scope: { platforms?: boolean } = {},
): Readonly<Config> {
  // It may hold tokens: never where a sandboxed script could read it (a link there counts).
  const file = join(io.cwd, 'ff2.config.json');
  if (existsSync(file)) assertOutsideSandbox({ 'config file': file });
  return loadConfig(io.env, io.cwd, scope);
}

export function createAppLogger(config: Readonly<Config>): Logger {
  return createLogger(config.logLevel);
}

/**
 * Opens (creating and migrating) the configured database. The bot's files are private (umask
 * 077, data dir 0700, database 0600) and never where a sandboxed script could read them.
 */
export function createStore(config: Readonly<Config>, options: { worker?: string } = {}): SessionStore {
  process.umask(0o077);
  // FF2_DATABASE_URL: PostgreSQL (store/open.ts); no local database file then. With `worker`, the
  // store fences commits by session leases (one of many `ff2 serve` workers).
  if (config.databaseUrl)
    return openConfiguredStore(config, { ...options, leaseTtlMs: config.workerLeaseMs });
  assertOutsideSandbox({ 'data dir': config.dataDir, database: config.dbPath });
  ensureDir(config.dataDir);
  chmodSync(config.dataDir, 0o700);
  ensureDir(dirname(config.dbPath));
  return openStore(config.dbPath);
}

/**
 * Creates a folder and its missing parents one level at a time. (Node 20's recursive mkdirSync
 * spins forever under /proc, so an FF2_DB there would hang instead of failing.)
 */
function ensureDir(path: string): void {
  if (existsSync(path)) return;
  const parent = dirname(path);
  if (parent !== path) ensureDir(parent);
  mkdirSync(path);
}

/**
 * The bubblewrap sandbox (FF2_SANDBOX_*); call `close()` when done. Refuses to run without
 * bubblewrap, or when the bot's data would be visible inside it.
 */
export function createSandbox(config: Readonly<Config>, logger?: Logger): ProcessSandbox {
  assertOutsideSandbox({ 'data dir': config.dataDir, database: config.dbPath });
  const { python, venv, slots, timeoutS, memoryMb, uidBase } = config.sandbox;
  return new ProcessSandbox({
    python,
    venv,
    cacheDir: scriptCacheDir(config),
    slots,
    uidBase,
    limits: defaultLimits({ timeoutS, memoryMb }),
    ...(logger ? { logger: logger.child('sandbox') } : {}),
  });
}

/** The Python analyser, run with the scripts' interpreter (the venv's, else FF2_PYTHON). */
export function createToolchain(config: Readonly<Config>): PythonToolchain {
  return {
    // Its own unprivileged UID, just below the sandbox's slot UIDs.
    ...createPythonToolchain({
      python: scriptPython(config.sandbox.python, config.sandbox.venv),
      limits: { uid: config.sandbox.uidBase - 1 },
    }),
    environment: createEnvironment(config),
    installable: Boolean(config.sandbox.venv) && config.pipeline.approvers.length > 0,
  };
}

/** What scripts can import (FF2_PYTHON, FF2_PYTHON_VENV), discovered once and cached. */
export function createEnvironment(config: Readonly<Config>): ScriptEnvironment {
  return createScriptEnvironment({ python: config.sandbox.python, venv: config.sandbox.venv ?? null });
}

/** Host folder of the script environment's first-import caches (matplotlib's font list). */
export function scriptCacheDir(config: Readonly<Config>): string {
  return join(config.dataDir, 'script-cache');
}

/**
 * The Discord front door when DISCORD_TOKEN/DISCORD_APP_ID are set, else undefined. discord.js is
 * loaded only here. An explicit undici Agent avoids the clash with @slack/bolt in one process;
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
    // Many workers: each connects its own gateway shards (FF2_DISCORD_SHARDS).
    ...(config.discord.shards
      ? { shards: config.discord.shards.ids, shardCount: config.discord.shards.count }
      : {}),
  });
  const limits = config.delivery.discord;
  return new DiscordAdapter({
    client,
    token: config.discord.token,
    maxInputBytes: config.sandbox.maxInputBytes,
    logger,
    keepGuild: (guildId) => guildAllowed(config.access, guildId),
    perChannelIntervalMs: limits.channelIntervalMs,
    perChannelBurst: limits.channelBurst,
    maxInFlight: limits.maxInFlight,
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

/**
 * The Slack front door when SLACK_BOT_TOKEN is set, else undefined. Socket Mode when SLACK_APP_TOKEN
 * is set, otherwise HTTP on FF2_HTTP_PORT with SLACK_SIGNING_SECRET (verified and acked in a worker
 * thread, so acks never wait for the main thread). The WebClient neither retries
 * nor waits out 429s itself (its queue pause would stall every channel): the outbox does, per channel.
 */
export async function createSlackFrontDoor(
  config: Readonly<Config>,
  logger: Logger,
  overrides: {
    host?: string;
    perChannelIntervalMs?: number;
    /** Serves GET /healthz and /metrics on FF2_HTTP_PORT in HTTP mode. */
    ops?: (path: string) => Promise<import('./ops/health.js').OpsResponse | undefined>;
  } = {},
): Promise<import('./bots/slack/adapter.js').SlackAdapter | undefined> {
  const slack = config.slack;
  if (!slack) return undefined;
  const { App, LogLevel, SocketModeReceiver } = await import('@slack/bolt');
  const { createSlackAdapter } = await import('./bots/slack/adapter.js');
  const clientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl.replace(/\/*$/, '/') } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 30_000,
  };
  // Bolt's own logger never goes below warn: at debug it would print request bodies and tokens.
  const logLevel = config.logLevel === 'debug' || config.logLevel === 'info' ? LogLevel.WARN : LogLevel.ERROR;
  const limits = config.delivery.slack;
  const base = {
    maxInputBytes: config.sandbox.maxInputBytes,
    botToken: slack.botToken,
    logger,
    perChannelIntervalMs: overrides.perChannelIntervalMs ?? limits.channelIntervalMs,
    perChannelBurst: limits.channelBurst,
    maxInFlight: limits.maxInFlight,
  };
  if (slack.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logLevel,
      installerOptions: { clientOptions },
    });
    const app = new App({ token: slack.botToken, receiver, clientOptions, logLevel });
    return createSlackAdapter({ ...base, app, transport: { kind: 'socket', receiver } });
  }
  const { WorkerReceiver } = await import('./bots/slack/receiver.js');
  const receiver = new WorkerReceiver({
    signingSecret: slack.signingSecret ?? '',
    port: config.httpPort,
    ...(overrides.host ? { host: overrides.host } : {}),
    ...(overrides.ops ? { ops: overrides.ops } : {}),
    logger: logger.child('slack'),
  });
  const app = new App({ token: slack.botToken, receiver, clientOptions, logLevel });
  return createSlackAdapter({ ...base, app, transport: { kind: 'http', receiver } });
}

/**
 * Calls `handler` on Ctrl+C (SIGINT) and SIGTERM instead of exiting; a second Ctrl+C exits at
 * once (130). Returns the function that removes the handlers.
 */
export function onInterrupt(handler: () => void): () => void {
  let count = 0;
  const listener = () => {
    count++;
    if (count > 1) process.exit(130);
    handler();
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

/**
 * The model edge per FF2_LLM: `openai` (any OpenAI-compatible server) or `llama` (a local GGUF,
 * resolved — and on first use downloaded, with a progress bar on stderr — then loaded on the first
 * call). With `store`, calls are recorded in llm_calls, replayed by callKey and held to the budget.
 * @throws ConfigError when FF2_LLM=openai has neither OPENAI_API_KEY nor OPENAI_BASE_URL.
 */
export async function createLlmProvider(
  config: Readonly<Config>,
  logger: Logger,
  options: {
    store?: import('./llm/usage.js').UsageStore;
    /** Download the local model when missing (default true; `ff2 doctor` passes false). */
    download?: boolean;
    progress?: (text: string) => void;
  } = {},
): Promise<import('./llm/types.js').LlmProvider> {
  const llm = config.llm;
  let provider: import('./llm/types.js').LlmProvider;
  if (llm.provider === 'openai') {
    const { apiKey, baseUrl, model, jsonMode, timeoutS, maxRetries } = llm.openai;
    if (!apiKey && !baseUrl) {
      const { ConfigError } = await import('./errors.js');
      throw new ConfigError(
        'OPENAI_API_KEY',
        'FF2_LLM=openai needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server such as Ollama)',
      );
    }
    const { default: OpenAI } = await import('openai');
    const { OpenAiProvider } = await import('./llm/openai.js');
    // Our own retry loop (backoff, Retry-After) replaces the SDK's: maxRetries 0.
    const client = new OpenAI({
      baseURL: baseUrl ?? 'https://api.openai.com/v1',
      apiKey: apiKey ?? 'unused',
      maxRetries: 0,
      timeout: timeoutS * 1000,
      logLevel: 'off',
    });
    provider = new OpenAiProvider({
      client,
      model,
      jsonMode,
      timeoutMs: timeoutS * 1000,
      maxRetries,
      useMaxCompletionTokens: !baseUrl || baseUrl.includes('api.openai.com'),
      logger: logger.child('llm'),
    });
  } else {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const { LlamaCppProvider } = await import('./llm/llama.js');
    const { resolveModel } = await import('./llm/llama-models.js');
    const { gguf, threads, sequences, modelsDir } = llm.llama;
    const llmLogger = logger.child('llm');
    provider = new LlamaCppProvider({
      loadLlama: () =>
        getLlama({
          maxThreads: threads,
          build: 'never',
          logLevel: LlamaLogLevel.error,
          logger: (_level, message) => llmLogger.debug('llama.cpp', { message }),
        }),
      resolveModelPath: () =>
        resolveModel({
          source: gguf,
          modelsDir,
          download: options.download ?? true,
          progress: options.progress ?? ((text) => process.stderr.write(text)),
        }),
      threads,
      sequences,
      logger: llmLogger,
    });
  }
  if (!options.store) return provider;
  const { createRecordingProvider } = await import('./llm/usage.js');
  return createRecordingProvider({
    provider,
    store: options.store,
    budget: llm.budget,
    prices: llm.prices,
    logger,
  });
}

/** A bare Slack Web API client for one-off calls (`ff2 doctor`); undefined when Slack is not configured. */
export async function createSlackWebClient(
  config: Readonly<Config>,
  token?: string,
): Promise<import('@slack/bolt').webApi.WebClient | undefined> {
  if (!config.slack) return undefined;
  // Bolt's own copy of @slack/web-api (not a direct dependency of ff2).
  const { webApi } = await import('@slack/bolt');
  return new webApi.WebClient(token ?? config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl.replace(/\/*$/, '/') } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}
