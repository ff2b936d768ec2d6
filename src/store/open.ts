import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.js';
import { assertOutsideSandbox } from '../sandbox/host-paths.js';
import { openStore } from './sqlite.js';
import type { SessionStore } from './types.js';

/**
 * The configured session store, opened (created and migrated): every caller that works on the
 * bot's database goes through here. The bot's files are private (umask 077, data dir 0700,
 * database 0600) and never where a sandboxed script could read them.
 * @throws SandboxError when the data dir or database is visible inside the sandbox; StoreError when it cannot be opened.
 */
export function createStore(config: Readonly<Config>): SessionStore {
  process.umask(0o077);
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
