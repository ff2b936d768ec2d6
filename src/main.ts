/**
 * The composition root: the only place that reads configuration and builds SDK clients.
 * Commands call these factories; nothing else constructs edges.
 */
import { mkdirSync } from 'node:fs';
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
  return openStore(config.dbPath);
}

/** The bubblewrap sandbox (FF2_SANDBOX_*); call `close()` when done. Refuses to run without bubblewrap. */
export function createSandbox(config: Readonly<Config>, logger?: Logger): Sandbox & { close(): Promise<void> } {
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
