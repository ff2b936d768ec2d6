/**
 * The processes of one setup of the scale benchmark, all real: `ff2 serve` workers in Slack HTTP
 * mode (against the Slack stand-in, the model behind the OpenAI stand-in) and, on PostgreSQL,
 * `ff2 runner --slots 1` processes that the workers (`--runs=remote`) send their runs to.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { RunQueue } from '../src/runners/queue.js';
import { openStore } from '../src/store/open.js';
import { openPgStore } from '../src/store/pg/store.js';
import type { SessionStore } from '../src/store/types.js';
import { serveChildEnv } from '../tests/fakes/serve-child.js';
import { eventually, type ServeProcess, startServe } from '../tests/fakes/serve-process.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../tests/fakes/slack-server.js';

const CLI = join(import.meta.dirname, '../src/cli.ts');

export interface ScaleSetupOptions {
  /** Folder for the processes' data dirs (and the SQLite file). */
  dir: string;
  modelUrl: string;
  slackApiUrl: string;
  /** PostgreSQL database; without it one SQLite `ff2 serve` running its own one-slot sandbox. */
  databaseUrl?: string;
  /** `ff2 serve --runs=remote` workers and one-slot runners (PostgreSQL only). */
  workers?: number;
  runners?: number;
  /** First sandbox UID; each process gets its own range, 100 apart. */
  uidBase: number;
}

export interface ScaleSetup {
  /** Each worker's Slack events URL. */
  urls: string[];
  /** Stops every process (SIGTERM, then SIGKILL after 15 s) and waits until they are gone. */
  stop(): Promise<void>;
  /** Opens the setup's store (after `stop` for SQLite, whose file one server holds). */
  openStore(): SessionStore;
  /** The workers' stderr so far (for the error when a session gets stuck). */
  logs(): string;
}

export async function startScaleSetup(o: ScaleSetupOptions): Promise<ScaleSetup> {
  const children: ChildProcess[] = [];
  const dbPath = join(o.dir, 'ff2.db');
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  let processes = 0;
  const common = (name: string) => ({
    ...serveChildEnv(join(o.dir, name), o.modelUrl),
    FF2_DB: dbPath,
    FF2_SANDBOX_UID_BASE: String(o.uidBase + 100 * processes++),
    ...(o.databaseUrl ? { FF2_DATABASE_URL: o.databaseUrl } : {}),
  });
  try {
    if (o.databaseUrl) {
      const store = openPgStore(o.databaseUrl);
      try {
        for (let i = 0; i < (o.runners ?? 1); i++) {
          const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'runner', '--slots', '1'], {
            env: { ...process.env, ...common(`runner${i}`), FF2_SANDBOX_SLOTS: '1' },
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          children.push(child);
        }
        // Workers refuse to start (exit 3) until a runner with their environment is live.
        const queue = new RunQueue(store);
        await eventually('live runners', () =>
          queue.runners().length === children.length ? true : undefined,
        );
      } finally {
        store.close();
      }
    }
    const serves: ServeProcess[] = [];
    for (let i = 0; i < (o.databaseUrl ? (o.workers ?? 1) : 1); i++) {
      const serve = await startServe({
        ...common(`worker${i}`),
        // SQLite: the server's own sandbox, one slot. A remote worker keeps at most its
        // FF2_SANDBOX_SLOTS (default: CPU count) runs in flight on the runners.
        ...(o.databaseUrl ? { FF2_RUNS: 'remote' } : { FF2_SANDBOX_SLOTS: '1' }),
        // Sessions each have their own person and channel; the per-person limits are not measured.
        FF2_MAX_ACTIVE_SESSIONS_PER_USER: '0',
        FF2_MAX_SESSIONS_PER_USER_PER_DAY: '0',
        // A session's own messages are paced per channel (1 post/s after a burst of 3): lowered so
        // the steps before the run are quick; the run phase posts one result per channel.
        FF2_SLACK_CHANNEL_INTERVAL_MS: '100',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: o.slackApiUrl,
      });
      children.push(serve.child);
      serves.push(serve);
    }
    return {
      urls: serves.map((s) => `http://127.0.0.1:${s.port}/slack/events`),
      stop,
      openStore: () => openStore({ dbPath, databaseUrl: o.databaseUrl }),
      logs: () => serves.map((s, i) => `worker ${i}:\n${s.stderr().slice(-3000)}`).join('\n'),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}
