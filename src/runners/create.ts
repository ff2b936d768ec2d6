/** Builds the remote-run Sandbox for `ff2 serve --runs=remote` (see remote-sandbox.ts). */
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { createEnvironment } from '../python/create.js';
import { PgSessionStore } from '../store/pg/store.js';
import type { SessionStore } from '../store/types.js';
import { environmentFingerprint, RunQueue } from './queue.js';
import { RemoteSandbox } from './remote-sandbox.js';

/**
 * `ff2 serve --runs=remote` (FF2_RUNS=remote): a Sandbox that sends runs to `ff2 runner` processes
 * through the PostgreSQL database, for this machine's script environment.
 * @throws ConfigError without FF2_DATABASE_URL.
 */
export async function createRemoteSandbox(
  config: Readonly<Config>,
  store: SessionStore,
): Promise<RemoteSandbox> {
  if (!(store instanceof PgSessionStore)) {
    throw new ConfigError(
      'FF2_RUNS',
      'remote runs need FF2_DATABASE_URL (the runners take jobs from PostgreSQL)',
    );
  }
  const env = environmentFingerprint(await createEnvironment(config).describe());
  return new RemoteSandbox({ queue: new RunQueue(store), env });
}
