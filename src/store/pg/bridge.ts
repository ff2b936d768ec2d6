/**
 * The calling side of the PostgreSQL store: a synchronous call into the worker thread that owns
 * the `pg` client (worker.ts). The caller blocks on `Atomics.wait` until the worker has posted its
 * reply, then reads it with `receiveMessageOnPort` (the synckit pattern), the way better-sqlite3
 * blocks on the disk. One call = one message = one round trip to the database.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import {
  type AppError,
  DuplicateInboundError,
  LeaseHeldError,
  LeaseLostError,
  StaleSessionError,
  StoreError,
} from '../../errors.js';
import type { Call, WireError } from './worker.js';

/** Longest a single call may take before the store gives up on the database. */
const CALL_TIMEOUT_MS = 60_000;

export class SyncPg {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flag: Int32Array;
  readonly #redacted: string;
  #seq = 0;
  #dead: string | undefined;

  /** Starts the worker; nothing is connected until the first call. */
  constructor(url: string) {
    const { port1, port2 } = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    this.#redacted = redact(url);
    this.#worker = new Worker(workerSource(), {
      eval: true,
      workerData: { url, port: port2, flag },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    this.#worker.unref();
    this.#worker.on('error', (e) => {
      this.#dead = e.message;
    });
    this.#worker.on('exit', (code) => {
      this.#dead ??= `exited with code ${code}`;
    });
    this.#port = port1;
    this.#flag = new Int32Array(flag);
  }

  /**
   * Runs `op` on the worker and returns its value; rethrows its typed store errors as such.
   * @throws StoreError when the database cannot be reached or does not answer in time.
   */
  call<T>(op: string, args: unknown[], now: number, extra: Pick<Call, 'worker' | 'leaseTtlMs'> = {}): T {
    if (this.#dead) throw new StoreError(`the PostgreSQL worker stopped (${this.#dead})`);
    const id = ++this.#seq;
    Atomics.store(this.#flag, 0, 0);
    this.#port.postMessage({ id, op, args, now, ...extra } satisfies Call);
    if (!waitForFlag(this.#flag, Date.now() + CALL_TIMEOUT_MS)) {
      this.#dead = `no answer within ${CALL_TIMEOUT_MS / 1000} s`;
      void this.#worker.terminate();
      throw new StoreError(
        `PostgreSQL ${this.#redacted} did not answer ${op} within ${CALL_TIMEOUT_MS / 1000} s`,
      );
    }
    if (Atomics.load(this.#flag, 0) === 2) {
      this.#dead = 'it could not start';
      throw new StoreError('the PostgreSQL worker could not start (see the error above)');
    }
    const got = receiveMessageOnPort(this.#port)?.message as
      | { id: number; ok: true; value: T }
      | { id: number; ok: false; error: WireError }
      | undefined;
    if (!got || got.id !== id) throw new StoreError(`PostgreSQL worker answered out of turn (${op})`);
    if (got.ok) return got.value;
    throw fromWire(got.error, this.#redacted);
  }

  /** Closes the connection and stops the worker. */
  close(): void {
    if (this.#dead) return;
    try {
      this.call('close', [], Date.now());
    } catch {
      // closing anyway
    }
    this.#dead = 'closed';
    void this.#worker.terminate();
  }
}

/**
 * Blocks until `flag[0]` is no longer 0; false when `deadline` (epoch ms) passes first. Only the
 * flag counts, never a wake-up alone: the worker sets the flag and then notifies, so a reply that
 * was read before its notify arrived leaves a late notify behind, which would otherwise wake the
 * NEXT call before its reply exists (read as "out of turn", and every call after it too).
 */
export function waitForFlag(flag: Int32Array, deadline: number): boolean {
  for (;;) {
    if (Atomics.load(flag, 0) !== 0) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(flag, 0, 0, Math.min(left, 1000));
  }
}

/**
 * The worker's entry, evaluated: imports the compiled worker.js next to this file, or, running from
 * the TypeScript sources (tsx, vitest), registers tsx in the worker and imports worker.ts. If the
 * worker cannot start it raises the flag to 2, so a caller already waiting is not left hanging.
 */
function workerSource(): string {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const target = JSON.stringify(new URL(ts ? './worker.ts' : './worker.js', here).href);
  const tsx = ts
    ? JSON.stringify(
        pathToFileURL(
          createRequire(here)
            .resolve('tsx/esm/api')
            .replace(/\.cjs$/, '.mjs'),
        ).href,
      )
    : '';
  const load = ts
    ? `import(${tsx}).then((tsx) => { tsx.register(); return import(${target}); })`
    : `import(${target})`;
  return `const { workerData } = require('node:worker_threads');
    ${load}.catch((error) => {
      console.error('ff2 PostgreSQL worker failed to start:', error);
      const flag = new Int32Array(workerData.flag);
      Atomics.store(flag, 0, 2);
      Atomics.notify(flag, 0);
    });`;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

function fromWire(e: WireError, where: string): Error {
  const f = e.fields;
  switch (e.name) {
    case 'LeaseLostError':
      return new LeaseLostError(String(f.sessionId), String(f.worker), f.leaseHolder as string | undefined);
    case 'StaleSessionError':
      return new StaleSessionError(String(f.sessionId), Number(f.expected), f.actual as number | undefined);
    case 'DuplicateInboundError':
      return new DuplicateInboundError(String(f.eventId));
    case 'LeaseHeldError':
      return new LeaseHeldError(String(f.holder), Number(f.expiresAt));
    case 'StoreError':
      return new StoreError(e.message);
  }
  const error = new StoreError(`PostgreSQL ${where}: ${e.message}`);
  if (typeof f.code === 'string') (error as AppError & { pgCode?: string }).pgCode = f.code;
  return error;
}
