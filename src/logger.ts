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

/** A pino-backed logger writing JSON lines to stderr (stdout belongs to command output). */
export function createLogger(level: LogLevel): Logger {
  const root = pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
  return wrap(root);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (m, c) => p.debug(c ?? {}, m),
    info: (m, c) => p.info(c ?? {}, m),
    warn: (m, c) => p.warn(c ?? {}, m),
    error: (m, c) => p.error(c ?? {}, m),
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
