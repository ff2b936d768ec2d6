import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ProcessSandbox } from './bwrap.js';
import { assertOutsideSandbox } from './host-paths.js';
import { defaultLimits } from './limits.js';

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

/** Host folder of the script environment's first-import caches (matplotlib's font list). */
export function scriptCacheDir(config: Readonly<Config>): string {
  return join(config.dataDir, 'script-cache');
}
