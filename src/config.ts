import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { readConfigFile } from './config-file.js';
import { DEFAULT_BUDGET_TOKENS, envSchema, FIXES, priceSchema } from './config-schema.js';
import { ConfigError } from './errors.js';

export { CONFIG_VARIABLES, DEFAULT_BUDGET_TOKENS } from './config-schema.js';

/**
 * Every setting ff2 reads, from the environment and an optional `ff2.config.json` (same keys as
 * the environment variables). Precedence: explicit override > environment > config file > default.
 * Loaded once by the composition root; nothing else reads `process.env`.
 */

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
  /** Outbox requests per second over all channels (a platform-wide limit); absent or 0: none. */
  maxPerSecond?: number;
  /** Outbox edits per minute over all channels (Slack's chat.update tier); absent or 0: none. */
  editsPerMinute?: number;
}

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
        editsPerMinute: e.FF2_SLACK_EDITS_PER_MINUTE,
      },
      discord: {
        channelIntervalMs: e.FF2_DISCORD_CHANNEL_INTERVAL_MS,
        channelBurst: e.FF2_DISCORD_CHANNEL_BURST,
        maxInFlight: e.FF2_DISCORD_MAX_IN_FLIGHT,
        maxPerSecond: e.FF2_DISCORD_MAX_PER_SECOND,
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
