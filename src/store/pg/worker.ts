/**
 * The PostgreSQL store's worker thread: owns the `pg` client and answers one call at a time from
 * the store on the main thread (bridge.ts). Protocol, per call: the main thread posts
 * `{ id, op, args, now }` on the port and blocks on the shared flag; this thread runs the call,
 * posts `{ id, ok, value | error }` and then sets the flag and wakes it (`Atomics.notify`).
 * A lost connection is replaced on the next call (the failed call reports the error).
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { JobOps } from './jobs.js';
import { LeaseOps } from './leases.js';
import { PgOps } from './ops.js';
import { migratePg, migrationLevel, migrationPlan } from './schema.js';

export interface WorkerInput {
  url: string;
  port: MessagePort;
  flag: SharedArrayBuffer;
}

export interface Call {
  id: number;
  op: string;
  args: unknown[];
  now: number;
  /** Many workers: the worker id that fences commits and owns leases (leases.ts). */
  worker?: string | undefined;
  /** The lease a worker takes on a session it creates. */
  leaseTtlMs?: number;
}

/** A thrown error as it crosses the thread (typed store errors are rebuilt from `name` and fields). */
export interface WireError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

// Counts and ids are int8 and sums numeric in PostgreSQL: the store's rows hold plain numbers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const { url, port, flag } = workerData as WorkerInput;
const wake = new Int32Array(flag);
/**
 * A worker paused (SIGSTOP, a long GC) or cut off in the middle of a transaction must not hold its
 * locks — the outbox claim lock, a session's lease row — over every other worker: the server ends
 * such a transaction after this long. This thread runs each transaction back to back, so a live
 * worker is never idle inside one.
 */
const IDLE_IN_TRANSACTION_MS = 5_000;
/** No call waits on a lock longer than this: well inside the caller's 60-s call timeout. */
const LOCK_WAIT_MS = 20_000;

let client: pg.Client | undefined;
let broken = false;

async function connection(): Promise<pg.Client> {
  if (client && !broken) return client;
  if (client) await client.end().catch(() => undefined);
  broken = false;
  const fresh = new pg.Client({ connectionString: url, application_name: 'ff2' });
  fresh.on('error', () => {
    broken = true;
  });
  await fresh.connect();
  await fresh.query(
    `SET idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_MS}; SET lock_timeout = ${LOCK_WAIT_MS}`,
  );
  client = fresh;
  return fresh;
}

async function run(call: Call): Promise<unknown> {
  if (call.op === 'close') {
    await client?.end().catch(() => undefined);
    client = undefined;
    return undefined;
  }
  const db = await connection();
  switch (call.op) {
    case 'connect':
      return undefined;
    case 'info': {
      const v = await db.query(`SELECT current_setting('server_version') AS v`);
      return { serverVersion: v.rows[0].v as string, level: await migrationLevel(db) };
    }
    case 'plan':
      return migrationPlan(db);
    case 'migrate':
      return migratePg(db, call.now);
  }
  const ops = new PgOps(db);
  ops.now = call.now;
  ops.worker = call.worker;
  if (call.leaseTtlMs) ops.leaseTtlMs = call.leaseTtlMs;
  const leases = call.worker ? new LeaseOps(db, call.worker) : undefined;
  const jobs = new JobOps(db);
  const target = leases && call.op in leases ? leases : call.op in jobs ? jobs : ops;
  const method = (target as unknown as Record<string, unknown>)[call.op];
  if (typeof method !== 'function' || call.op.startsWith('#'))
    throw new Error(`unknown store call ${call.op}`);
  return (method as (...a: unknown[]) => Promise<unknown>).apply(target, call.args);
}

function toWire(error: unknown): WireError {
  const e = error instanceof Error ? error : new Error(String(error));
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v === null || typeof v !== 'object') fields[k] = v;
  return { name: e.constructor.name, message: e.message, fields };
}

port.on('message', async (call: Call) => {
  let reply: unknown;
  try {
    reply = { id: call.id, ok: true, value: await run(call) };
  } catch (error) {
    reply = { id: call.id, ok: false, error: toWire(error) };
  }
  port.postMessage(reply);
  Atomics.store(wake, 0, 1);
  Atomics.notify(wake, 0);
});
