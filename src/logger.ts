import { pino } from 'pino';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** The one logging port. Messages are constant strings; variables go in `context`. */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
  /** A logger whose lines carry `scope` (e.g. "sandbox", "slack"). */
  child(scope: string): Logger;
}

/** Context keys whose values are secrets wherever they appear (pino `redact` paths). */
const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'apiKey',
  'signingSecret',
  'authorization',
  'password',
  'secret',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.apiKey',
  '*.signingSecret',
  '*.authorization',
  '*.password',
  '*.secret',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * Token shapes scrubbed from every string logged (error messages often quote a URL or header):
 * Slack (xoxb-/xoxp-/xapp-…), OpenAI-style keys (sk-…), Bearer/Bot authorization values, Discord
 * bot tokens (three base64url parts), and secrets in URL query strings.
 */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  /\bsk-[A-Za-z0-9_-]{12,}/g,
  /\b(Bearer|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b/g,
  /([?&](?:token|key|api_key|access_token|secret)=)[^&\s"']+/gi,
];

/** `text` with anything token-shaped replaced by `[redacted]`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const pattern of TOKEN_PATTERNS)
    out = out.replace(pattern, (_match, prefix: unknown) =>
      typeof prefix === 'string' && /^[?&]/.test(prefix)
        ? `${prefix}[redacted]`
        : typeof prefix === 'string'
          ? `${prefix} [redacted]`
          : '[redacted]',
    );
  return out;
}

/** A copy of a log context with token-shaped strings scrubbed (bounded depth; errors flattened). */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: scrubSecrets(value.message) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}

/**
 * A pino-backed logger writing JSON lines to `destination` (default stderr; stdout belongs to
 * command output). Secrets are redacted by key (pino `redact`) and by shape (a scrub of strings).
 */
export function createLogger(
  level: LogLevel,
  destination: pino.DestinationStream = pino.destination({ fd: 2, sync: true }),
): Logger {
  const root = pino(
    { level, base: undefined, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
  return wrap(root);
}

function wrap(p: pino.Logger): Logger {
  const ctx = (c: Record<string, unknown> | undefined) => (c ? (scrub(c) as Record<string, unknown>) : {});
  return {
    debug: (m, c) => p.debug(ctx(c), m),
    info: (m, c) => p.info(ctx(c), m),
    warn: (m, c) => p.warn(ctx(c), m),
    error: (m, c) => p.error(ctx(c), m),
    child: (scope) => wrap(p.child({ scope })),
  };
}

/** A logger that drops everything (tests, `--json` commands). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
