/**
 * The small typed error hierarchy. Expected failures (a script that crashes, a model that
 * answers badly) are values, not exceptions; these errors are for infrastructure that cannot
 * continue. Each edge maps foreign errors to one of these once, at its boundary.
 */

export type AppErrorCode =
  | 'config_invalid'
  | 'store_failed'
  | 'store_stale'
  | 'store_duplicate_inbound'
  | 'store_lease_held'
  | 'sandbox_unavailable'
  | 'sandbox_failed'
  | 'llm_failed'
  | 'adapter_failed'
  | 'stage_failed'
  | 'usage'
  | 'busy';

export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value is missing or invalid. The message names the variable and the fix. */
export class ConfigError extends AppError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('config_invalid', message);
  }
}

/** The database could not be opened, migrated or written. */
export class StoreError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_failed', message, options);
  }
}

/** A step carried an inbound event id that is already recorded: the delivery was handled before. */
export class DuplicateInboundError extends AppError {
  constructor(readonly eventId: string) {
    super(
      'store_duplicate_inbound',
      `inbound event ${eventId} was already handled; the step was not committed`,
    );
  }
}

/** Another process holds the serving lease on this database. */
export class LeaseHeldError extends AppError {
  constructor(
    readonly holder: string,
    readonly expiresAt: number,
  ) {
    super(
      'store_lease_held',
      `another ff2 process (${holder}) is serving this database; stop it or use a different FF2_DB`,
    );
  }
}

/** A commit was attempted against a session version that is no longer current. Nothing was written. */
export class StaleSessionError extends AppError {
  constructor(
    readonly sessionId: string,
    readonly expected: number,
    readonly actual: number | undefined,
  ) {
    super(
      'store_stale',
      `session ${sessionId} is at version ${actual ?? 'missing'}, not ${expected}; the step was not committed`,
    );
  }
}

/**
 * Many workers (PostgreSQL): this worker no longer holds the session's lease (it expired, e.g. the
 * process was paused, and another worker took the session over). Nothing was written; a
 * StaleSessionError, so callers drop the step as they drop any stale one.
 */
export class LeaseLostError extends StaleSessionError {
  constructor(
    sessionId: string,
    readonly worker: string,
    readonly leaseHolder: string | undefined,
  ) {
    super(sessionId, -1, undefined);
    this.message = `worker ${worker} does not hold the lease of session ${sessionId} (${leaseHolder ? `held by ${leaseHolder}` : 'expired'}); the step was not committed`;
  }
}

/** The sandbox itself cannot run (bubblewrap missing, not root…). Never thrown for what a script does. */
export class SandboxError extends AppError {
  constructor(
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super('sandbox_unavailable', message, options);
  }
}

/** A chat platform call failed in a way the adapter cannot hide. */
export class AdapterError extends AppError {
  constructor(
    readonly platform: string,
    message: string,
    readonly retryAfterMs?: number,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super('adapter_failed', message, options);
  }
}

/** Wrong command-line usage; the CLI exits with 2. */
export class UsageError extends AppError {
  constructor(message: string) {
    super('usage', message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A one-line description of any thrown value, for logs and user messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
