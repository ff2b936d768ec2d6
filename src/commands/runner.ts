import { loadConfig } from '../config.js';
import { ConfigError, UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { onInterrupt } from '../main.js';
import { createEnvironment } from '../python/create.js';
import { environmentFingerprint, RunQueue } from '../runners/queue.js';
import { RunnerLoop } from '../runners/runner-loop.js';
import { createSandbox } from '../sandbox/create.js';
import { newHolderId } from '../store/lease.js';
import { openPgStore } from '../store/pg/store.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

const USAGE = `Usage: ff2 runner [--slots N] [--lease-ms MS]

Runs scripts for "ff2 serve --runs=remote" workers: takes run jobs from the PostgreSQL database
(FF2_DATABASE_URL), runs them in this machine's bubblewrap sandbox (root; FF2_SANDBOX_* settings)
and stores results and output files. Advertises its slots and its script environment (Python
version and packages); a run goes only to runners whose environment matches the worker's.
A runner that stops answering has its running jobs retried once on another runner.
SIGTERM or Ctrl+C: stops taking jobs, finishes the runs in flight, exits.

  --slots N       runs at the same time (default FF2_SANDBOX_SLOTS)
  --lease-ms MS   a job is retried elsewhere after this long without a sign of life (default 15000)`;

export const runnerCommand: Command = {
  name: 'runner',
  summary: 'run sandbox jobs for remote-run workers (PostgreSQL)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: { slots: { type: 'string' }, 'lease-ms': { type: 'string' } },
      strict: true,
    });
    const config = loadConfig(io.env, io.cwd, { platforms: false });
    if (!config.databaseUrl) {
      throw new ConfigError(
        'FF2_DATABASE_URL',
        'ff2 runner needs FF2_DATABASE_URL (a postgres:// URL shared with the workers)',
      );
    }
    const slots = whole(values.slots, config.sandbox.slots, '--slots');
    const leaseMs = whole(values['lease-ms'], 15_000, '--lease-ms');
    const logger = createLogger(config.logLevel);
    const sandbox = createSandbox(config, logger);
    const store = openPgStore(config.databaseUrl);
    try {
      const check = await sandbox.check();
      if (!check.ok) {
        io.err(`ff2 runner: the sandbox cannot run scripts here: ${check.detail}\n`);
        if (check.fix) io.err(`Fix: ${check.fix}\n`);
        return 3;
      }
      const env = environmentFingerprint(await createEnvironment(config).describe());
      const id = newHolderId().replace(/^ff2@/, 'runner@');
      const loop = new RunnerLoop({ queue: new RunQueue(store), sandbox, id, env, slots, leaseMs, logger });
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => {
        stop = resolve;
      });
      const unlisten = onInterrupt(() => stop());
      loop.start();
      io.err(`ff2 runner: ${id} ready, ${slots} slot(s), environment ${env}\n`);
      await stopped;
      io.err('ff2 runner: stopping…\n');
      unlisten();
      await loop.stop();
      return 0;
    } finally {
      await sandbox.close();
      store.close();
    }
  },
};

function whole(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a whole number ≥ 1`);
  return Number(text);
}
