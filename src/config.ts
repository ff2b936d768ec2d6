import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Every setting ff2 reads, from the environment and an optional `ff2.config.json` (same keys as
 * the environment variables). Precedence: explicit override > environment > config file > default.
 * Loaded once by the composition root; nothing else reads `process.env`.
 */

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const num = (min: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().min(min));
const url = z.url({ message: 'must be a URL such as http://127.0.0.1:8080/v1' });

/** The per-session token budget of local models when FF2_BUDGET_TOKENS is unset. */
export const DEFAULT_BUDGET_TOKENS = 400_000;

/** Raw variables, one line each; `.env.example` documents the same list. */
const envSchema = z.object({
  FF2_DATA_DIR: z.string().min(1).default('./data'),
  FF2_DB: z.string().min(1).optional(),
  FF2_RUNS: z.enum(['local', 'remote']).default('local'),
  FF2_WORKER_LEASE_S: int(2, 600).default(30),
  FF2_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  FF2_LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('warn'),

  FF2_PYTHON: z.string().min(1).default('/usr/bin/python3'),
  FF2_PYTHON_VENV: z.string().min(1).optional(),
  FF2_SANDBOX_TIMEOUT_S: int(1, 3600).default(15),
  FF2_SANDBOX_MEMORY_MB: int(64, 65536).default(1024),
  FF2_SANDBOX_SLOTS: int(1, 64).optional(),
  FF2_SANDBOX_UID_BASE: int(1000, 4_294_000_000).default(61001),

  FF2_LLM: z.enum(['openai', 'llama']).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: url.optional(),
  FF2_MODEL: z.string().min(1).optional(),
  FF2_JSON_MODE: z.enum(['auto', 'json_schema', 'json_object']).default('auto'),
  FF2_LLM_TIMEOUT_S: int(1, 3600).default(120),
  FF2_LLM_MAX_RETRIES: int(0, 10).default(3),
  FF2_GGUF: z.string().min(1).optional(),
  FF2_LLAMA_THREADS: int(1, 256).optional(),
  FF2_LLAMA_SEQUENCES: int(1, 16).default(2),
  FF2_PRICES: z.string().optional(),
  FF2_BUDGET_USD: num(0).default(0.5),
  FF2_BUDGET_TOKENS: int(0, 1_000_000_000).optional(),
  FF2_MAX_BUDGET_CONTINUES: int(0, 100).default(1),
  FF2_MAX_CONCURRENT_MODEL_CALLS: int(1, 1024).optional(),
  FF2_MAX_QUEUED: int(1, 100_000).default(200),

  FF2_MAX_REPAIRS: int(0, 20).default(3),
  FF2_APPROVERS: z.string().default(''),
  FF2_MAX_INPUT_MB: int(1, 100).default(10),
  FF2_MAX_FILES_PER_MESSAGE: int(1, 100).default(5),
  FF2_MAX_FILES_PER_SESSION: int(1, 1000).default(20),
  FF2_MAX_SESSION_INPUT_MB: int(1, 10_000).default(50),
  FF2_REVIEW_POLICY: z.enum(['any', 'others']).default('others'),

  FF2_ALLOWED_USERS: z.string().default(''),
  FF2_ALLOWED_CHANNELS: z.string().default(''),
  FF2_ALLOWED_TEAMS: z.string().default(''),
  FF2_ALLOWED_GUILDS: z.string().default(''),
  FF2_MAX_ACTIVE_SESSIONS_PER_USER: int(0, 10_000).default(3),
  FF2_MAX_SESSIONS_PER_USER_PER_DAY: int(0, 100_000).default(30),
  FF2_RETENTION_DAYS: int(1, 36_500).default(30),
  FF2_METRICS_PORT: int(0, 65535).optional(),
  FF2_TEMPLATES_DIR: z.string().min(1).optional(),

  FF2_HTTP_PORT: int(0, 65535).default(3000),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_API_URL: url.optional(),
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APP_ID: z.string().min(1).optional(),
  DISCORD_API_URL: url.optional(),
  DISCORD_GUILD_ID: z.string().min(1).optional(),

  FF2_SLACK_CHANNEL_INTERVAL_MS: int(0, 60_000).default(1000),
  FF2_SLACK_CHANNEL_BURST: int(1, 50).default(3),
  FF2_SLACK_MAX_IN_FLIGHT: int(1, 200).default(10),
  FF2_DISCORD_SHARDS: z
    .string()
    .regex(/^\d+(,\d+)*\/\d+$/, 'must be shard ids and the shard count, e.g. 0/2 or 0,1/4')
    .optional(),
  FF2_DISCORD_CHANNEL_INTERVAL_MS: int(0, 60_000).default(1000),
  FF2_DISCORD_CHANNEL_BURST: int(1, 50).default(1),
  FF2_DISCORD_MAX_IN_FLIGHT: int(1, 200).default(10),
});

/** Every variable ff2 reads (documented one per line in `.env.example`). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** How to fix each variable, appended to validation errors. */
const FIXES: Record<string, string> = {
  FF2_DB: 'set it to a writable file path, e.g. FF2_DB=./data/ff2.db',
  FF2_DATABASE_URL:
    'use a PostgreSQL URL, e.g. postgres://ff2:secret@127.0.0.1:5432/ff2, or unset it for SQLite',
  FF2_LOG_LEVEL: 'use one of silent, error, warn, info, debug',
  FF2_LLM: 'use openai or llama',
  FF2_JSON_MODE: 'use auto, json_schema or json_object',
  OPENAI_BASE_URL: 'use the server base URL, e.g. http://127.0.0.1:11434/v1',
  FF2_REVIEW_POLICY: 'use any (the requester may approve their own script) or others',
  FF2_ALLOWED_USERS:
    'use platform-qualified ids, e.g. slack:U123,discord:1234 (or slack:* for everyone on Slack)',
  FF2_ALLOWED_CHANNELS: 'use platform-qualified ids, e.g. slack:C123,discord:1234',
  FF2_ALLOWED_TEAMS: 'use Slack workspace or Enterprise ids, e.g. slack:T123,slack:E123',
  FF2_ALLOWED_GUILDS: 'use Discord server ids, e.g. discord:1234',
  FF2_DISCORD_SHARDS:
    "give this worker's gateway shard ids and the total, e.g. FF2_DISCORD_SHARDS=0/2 on one worker and 1/2 on the other",
  FF2_PRICES: 'use JSON like {"gpt-4o-mini":{"input":0.15,"output":0.6}} (USD per million tokens)',
};

export interface PriceEntry {
  /** USD per million prompt tokens. */
  input: number;
  /** USD per million completion tokens. */
  output: number;
}

export interface Config {
  dataDir: string;
  dbPath: string;
  /** FF2_DATABASE_URL: PostgreSQL instead of the SQLite file at dbPath; undefined for SQLite. */
  databaseUrl: string | undefined;
  /** FF2_RUNS: where `ff2 serve` runs scripts: here, or on `ff2 runner` processes (PostgreSQL only). */
  runs: 'local' | 'remote';
  /** FF2_WORKER_LEASE_S in ms: a PostgreSQL worker's session leases; a dead worker's sessions resume after it. */
  workerLeaseMs: number;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  sandbox: {
    python: string;
    /** FF2_PYTHON_VENV as an absolute path: the operator's venv scripts run with; undefined when unset. */
    venv: string | undefined;
    timeoutS: number;
    memoryMb: number;
    slots: number;
    uidBase: number;
    maxInputBytes: number;
  };
  llm: {
    provider: 'openai' | 'llama';
    openai: {
      apiKey: string | undefined;
      baseUrl: string | undefined;
      model: string;
      jsonMode: 'auto' | 'json_schema' | 'json_object';
      timeoutS: number;
      maxRetries: number;
    };
    llama: { gguf: string | undefined; threads: number; sequences: number; modelsDir: string };
    prices: Record<string, PriceEntry>;
    budget: { usd: number | undefined; tokens: number | undefined };
  };
  pipeline: {
    maxRepairs: number;
    approvers: readonly string[];
    /** `others`: the requester's own Approve on the review card is a comment, not an approval. */
    reviewPolicy: 'any' | 'others';
    /** How many times approvers may grant a session another budget. */
    maxBudgetContinues: number;
    /** FF2_TEMPLATES_DIR as an absolute path: the operator's own templates; undefined when unset. */
    templatesDir: string | undefined;
  };
  /** Who may use the bot: platform-qualified ids per axis; an empty list leaves that axis open. */
  access: {
    users: readonly string[];
    channels: readonly string[];
    teams: readonly string[];
    guilds: readonly string[];
  };
  /** Per-user session quotas (0 = no limit). */
  quotas: { activePerUser: number; perUserPerDay: number };
  /** Attachments: per message (count), per session (count and total bytes). Per file: sandbox.maxInputBytes. */
  files: { perMessage: number; perSession: number; sessionBytes: number };
  /** Global bounds on concurrent work; `maxQueued` is each queue's length before "busy" refusals. */
  work: { modelCalls: number; analysers: number; maxQueued: number };
  retentionDays: number;
  /** A separate port for GET /healthz and GET /metrics; undefined = only with the Slack HTTP receiver. */
  metricsPort: number | undefined;
  httpPort: number;
  slack:
    | {
        botToken: string;
        appToken: string | undefined;
        signingSecret: string | undefined;
        apiUrl: string | undefined;
      }
    | undefined;
  discord:
    | {
        token: string;
        appId: string;
        apiUrl: string | undefined;
        guildId: string | undefined;
        /** FF2_DISCORD_SHARDS: the gateway shards this worker connects (ids of `count`); undefined: all. */
        shards: { ids: number[]; count: number } | undefined;
      }
    | undefined;
  /** Outbox pacing per platform: spacing per channel (token bucket) and requests in flight. */
  delivery: { slack: DeliveryLimits; discord: DeliveryLimits };
}

export interface DeliveryLimits {
  /** One post (or edit) per channel per this many ms once the burst is used up; 0: no spacing. */
  channelIntervalMs: number;
  /** Posts a channel may take back to back. */
  channelBurst: number;
  /** Requests in flight at once over all channels. */
  maxInFlight: number;
}

const priceSchema = z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) }));

/**
 * Validates the environment (and `ff2.config.json` in `cwd`, if present) into a frozen Config.
 * @throws ConfigError naming the first bad variable and how to fix it.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  /** `platforms: false` for commands that use no chat platform: Slack/Discord settings are not checked. */
  scope: { platforms?: boolean } = {},
): Readonly<Config> {
  const merged: Record<string, string | undefined> = { ...readConfigFile(cwd) };
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') merged[key] = value;
  if (scope.platforms === false)
    for (const key of Object.keys(merged)) if (/^(SLACK|DISCORD)_/.test(key)) delete merged[key];

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const fix = FIXES[variable];
    throw new ConfigError(
      variable,
      `${variable} is invalid: ${issue.message}${merged[variable] !== undefined ? ` (got "${merged[variable]}")` : ''}${fix ? `; ${fix}` : ''}`,
    );
  }
  const e = parsed.data;
  const dataDir = resolve(cwd, e.FF2_DATA_DIR);
  const cores = availableParallelism();

  let prices: Record<string, PriceEntry> = {};
  if (e.FF2_PRICES) {
    try {
      prices = priceSchema.parse(JSON.parse(e.FF2_PRICES));
    } catch {
      throw new ConfigError('FF2_PRICES', `FF2_PRICES is not valid; ${FIXES.FF2_PRICES}`);
    }
  }
  const access = {
    users: qualifiedList(e.FF2_ALLOWED_USERS, 'FF2_ALLOWED_USERS', ['slack', 'discord', 'terminal']),
    channels: qualifiedList(e.FF2_ALLOWED_CHANNELS, 'FF2_ALLOWED_CHANNELS', ['slack', 'discord', 'terminal']),
    teams: qualifiedList(e.FF2_ALLOWED_TEAMS, 'FF2_ALLOWED_TEAMS', ['slack']),
    guilds: qualifiedList(e.FF2_ALLOWED_GUILDS, 'FF2_ALLOWED_GUILDS', ['discord']),
  };
  const provider = e.FF2_LLM ?? (e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? 'openai' : 'llama');
  const localModel =
    provider === 'llama' ||
    (e.OPENAI_BASE_URL !== undefined && !e.OPENAI_BASE_URL.includes('api.openai.com'));
  if (e.SLACK_BOT_TOKEN && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET',
      'SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN (HTTP mode); set it from the app\'s "Basic Information" page, or set SLACK_APP_TOKEN for Socket Mode',
    );
  }
  if (Boolean(e.DISCORD_TOKEN) !== Boolean(e.DISCORD_APP_ID)) {
    const missing = e.DISCORD_TOKEN ? 'DISCORD_APP_ID' : 'DISCORD_TOKEN';
    throw new ConfigError(
      missing,
      `${missing} is required when ${missing === 'DISCORD_APP_ID' ? 'DISCORD_TOKEN' : 'DISCORD_APP_ID'} is set; copy it from the Discord developer portal`,
    );
  }

  const config: Config = {
    dataDir,
    dbPath: e.FF2_DB ? resolve(cwd, e.FF2_DB) : join(dataDir, 'ff2.db'),
    databaseUrl: e.FF2_DATABASE_URL,
    runs: e.FF2_RUNS,
    workerLeaseMs: e.FF2_WORKER_LEASE_S * 1000,
    logLevel: e.FF2_LOG_LEVEL,
    sandbox: {
      python: e.FF2_PYTHON,
      venv: e.FF2_PYTHON_VENV ? resolve(cwd, e.FF2_PYTHON_VENV) : undefined,
      timeoutS: e.FF2_SANDBOX_TIMEOUT_S,
      memoryMb: e.FF2_SANDBOX_MEMORY_MB,
      slots: e.FF2_SANDBOX_SLOTS ?? cores,
      uidBase: e.FF2_SANDBOX_UID_BASE,
      maxInputBytes: e.FF2_MAX_INPUT_MB * 1024 * 1024,
    },
    llm: {
      provider,
      openai: {
        apiKey: e.OPENAI_API_KEY,
        baseUrl: e.OPENAI_BASE_URL,
        model: e.FF2_MODEL ?? 'gpt-4o-mini',
        jsonMode: e.FF2_JSON_MODE,
        timeoutS: e.FF2_LLM_TIMEOUT_S,
        maxRetries: e.FF2_LLM_MAX_RETRIES,
      },
      llama: {
        gguf: e.FF2_GGUF,
        threads: e.FF2_LLAMA_THREADS ?? Math.max(1, cores),
        sequences: e.FF2_LLAMA_SEQUENCES,
        modelsDir: join(dataDir, 'models'),
      },
      prices,
      // Priced models are held to USD; local models (and servers without a price) to tokens.
      budget: {
        usd: e.FF2_BUDGET_USD,
        tokens: e.FF2_BUDGET_TOKENS ?? (localModel ? DEFAULT_BUDGET_TOKENS : undefined),
      },
    },
    pipeline: {
      maxRepairs: e.FF2_MAX_REPAIRS,
      approvers: list(e.FF2_APPROVERS),
      reviewPolicy: e.FF2_REVIEW_POLICY,
      maxBudgetContinues: e.FF2_MAX_BUDGET_CONTINUES,
      templatesDir: e.FF2_TEMPLATES_DIR ? resolve(cwd, e.FF2_TEMPLATES_DIR) : undefined,
    },
    access,
    quotas: {
      activePerUser: e.FF2_MAX_ACTIVE_SESSIONS_PER_USER,
      perUserPerDay: e.FF2_MAX_SESSIONS_PER_USER_PER_DAY,
    },
    files: {
      perMessage: e.FF2_MAX_FILES_PER_MESSAGE,
      perSession: e.FF2_MAX_FILES_PER_SESSION,
      sessionBytes: e.FF2_MAX_SESSION_INPUT_MB * 1024 * 1024,
    },
    work: {
      // HTTP providers serve many calls at once; a local model runs its context sequences.
      modelCalls: e.FF2_MAX_CONCURRENT_MODEL_CALLS ?? (provider === 'openai' ? 8 : e.FF2_LLAMA_SEQUENCES),
      analysers: Math.max(1, cores),
      maxQueued: e.FF2_MAX_QUEUED,
    },
    retentionDays: e.FF2_RETENTION_DAYS,
    metricsPort: e.FF2_METRICS_PORT,
    httpPort: e.FF2_HTTP_PORT,
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          appToken: e.SLACK_APP_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          apiUrl: e.SLACK_API_URL,
        }
      : undefined,
    discord:
      e.DISCORD_TOKEN && e.DISCORD_APP_ID
        ? {
            token: e.DISCORD_TOKEN,
            appId: e.DISCORD_APP_ID,
            apiUrl: e.DISCORD_API_URL,
            guildId: e.DISCORD_GUILD_ID,
            shards: discordShards(e.FF2_DISCORD_SHARDS),
          }
        : undefined,
    delivery: {
      slack: {
        channelIntervalMs: e.FF2_SLACK_CHANNEL_INTERVAL_MS,
        channelBurst: e.FF2_SLACK_CHANNEL_BURST,
        maxInFlight: e.FF2_SLACK_MAX_IN_FLIGHT,
      },
      discord: {
        channelIntervalMs: e.FF2_DISCORD_CHANNEL_INTERVAL_MS,
        channelBurst: e.FF2_DISCORD_CHANNEL_BURST,
        maxInFlight: e.FF2_DISCORD_MAX_IN_FLIGHT,
      },
    },
  };
  return deepFreeze(config);
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A comma list of `platform:id` entries (`platform:*` = everyone on that platform). */
function qualifiedList(value: string, variable: string, platforms: readonly string[]): string[] {
  const entries = list(value);
  for (const entry of entries) {
    const platform = entry.slice(0, entry.indexOf(':'));
    if (!platforms.includes(platform) || entry.length <= platform.length + 1)
      throw new ConfigError(
        variable,
        `${variable} is invalid: "${entry}" is not platform-qualified; ${FIXES[variable] ?? `use ${platforms.join('/')}:<id>`}`,
      );
  }
  return entries;
}

function readConfigFile(cwd: string): Record<string, string> {
  const path = join(cwd, 'ff2.config.json');
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      'ff2.config.json',
      `ff2.config.json is not valid JSON: ${(error as Error).message}`,
    );
  }
  const shape = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).safeParse(raw);
  if (!shape.success) {
    throw new ConfigError(
      'ff2.config.json',
      'ff2.config.json must be an object of VARIABLE: value pairs, e.g. {"FF2_MODEL": "gpt-4o-mini"}',
    );
  }
  return Object.fromEntries(Object.entries(shape.data).map(([k, v]) => [k, String(v)]));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** `0,1/4` → ids [0, 1] of 4 shards. @throws ConfigError when an id is not below the count. */
function discordShards(text: string | undefined): { ids: number[]; count: number } | undefined {
  if (!text) return undefined;
  const [ids, count] = text.split('/') as [string, string];
  const shards = { ids: ids.split(',').map(Number), count: Number(count) };
  if (shards.count < 1 || shards.ids.some((id) => id >= shards.count)) {
    throw new ConfigError(
      'FF2_DISCORD_SHARDS',
      `FF2_DISCORD_SHARDS=${text}: each shard id must be below the count`,
    );
  }
  return shards;
}
