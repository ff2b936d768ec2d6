/**
 * A private, throwaway PostgreSQL 15 cluster for tests: initdb + pg_ctl from Debian's
 * postgresql-15 (/usr/lib/postgresql/15/bin), run as the `postgres` user when we are root, with
 * its data directory and Unix socket under a fresh /tmp folder, no TCP listener, trust auth on the
 * socket only. Never touches the system cluster. One cluster per test file (`startPostgres` in
 * beforeAll, `stop` in afterAll); `createDatabase` gives each test (or file) an empty database.
 * A cluster left running by a killed test process is stopped by the next `startPostgres`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.FF2_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresMissing(): string | undefined {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) {
    return `PostgreSQL 15 binaries not found in ${PG_BIN} (apt-get install postgresql-15)`;
  }
  return undefined;
}

export interface TestPostgres {
  /** The socket folder (host for the connection URL). */
  socketDir: string;
  port: number;
  /** A connection URL for `database`. */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): string;
  stop(): void;
}

let counter = 0;

/** Starts a private cluster (a few seconds). @throws when the binaries are missing or it cannot start. */
export function startPostgres(): TestPostgres {
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  sweepOrphans();
  const root = mkdtempSync(join(tmpdir(), 'ff2-pg-'));
  writeFileSync(join(root, 'owner'), String(process.pid));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const socketDir = root;
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? 'postgres' : (process.env.USER ?? 'postgres');
  if (asRoot) chownSync(root, uidOf('postgres'), gidOf('postgres'));
  const run = (bin: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args], { stdio: 'pipe' })
      : execFileSync(join(PG_BIN, bin), args, { stdio: 'pipe' });
  run('initdb', ['-D', data, '-U', pgUser, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const opts = `-c listen_addresses='' -c unix_socket_directories='${socketDir}' -p ${port} -c fsync=off -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-o', opts, '-w', '-t', '60', 'start']);
  const url = (database: string) =>
    `postgresql://${pgUser}@/${database}?host=${encodeURIComponent(socketDir)}&port=${port}`;
  return {
    socketDir,
    port,
    url,
    createDatabase(name = `t${process.pid}_${++counter}`) {
      execFileSync(join(PG_BIN, 'createdb'), ['-h', socketDir, '-p', String(port), '-U', pgUser, name], {
        stdio: 'pipe',
      });
      return url(name);
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/** Stops and removes clusters whose test process died without stopping them (killed runs). */
function sweepOrphans(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('ff2-pg-')) continue;
    const root = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(root, 'owner'), 'utf8'));
    } catch {
      continue;
    }
    if (!owner || alive(owner)) continue;
    const stop = [join(PG_BIN, 'pg_ctl'), '-D', join(root, 'data'), '-m', 'immediate', '-w', 'stop'];
    const asRoot = process.getuid?.() === 0;
    spawnSync(asRoot ? 'runuser' : stop[0]!, asRoot ? ['-u', 'postgres', '--', ...stop] : stop.slice(1), {
      stdio: 'ignore',
    });
    rmSync(root, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
