import { z } from 'zod';

/** The variables ff2 reads, their raw shape and how to fix each (config.ts turns them into a Config). */

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
export const envSchema = z.object({
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
  FF2_SLACK_EDITS_PER_MINUTE: int(0, 10_000).default(0),
  FF2_DISCORD_SHARDS: z
    .string()
    .regex(/^\d+(,\d+)*\/\d+$/, 'must be shard ids and the shard count, e.g. 0/2 or 0,1/4')
    .optional(),
  FF2_DISCORD_CHANNEL_INTERVAL_MS: int(0, 60_000).default(1000),
  FF2_DISCORD_CHANNEL_BURST: int(1, 50).default(2),
  FF2_DISCORD_MAX_IN_FLIGHT: int(1, 200).default(10),
  FF2_DISCORD_MAX_PER_SECOND: int(0, 10_000).default(30),
});

/** Every variable ff2 reads (documented one per line in `.env.example`). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** How to fix each variable, appended to validation errors. */
export const FIXES: Record<string, string> = {
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

/** FF2_PRICES: USD per million tokens, per model. */
export const priceSchema = z.record(
  z.string(),
  z.object({ input: z.number().min(0), output: z.number().min(0) }),
);
