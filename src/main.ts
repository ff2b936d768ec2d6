/**
 * The composition root: the only place that reads configuration and builds SDK clients.
 * Commands call these factories; nothing else constructs edges.
 */
import { mkdirSync } from 'node:fs';
import type { CliIo } from './commands/types.js';
import { type Config, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
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
  return openStore(config.dbPath);
}
