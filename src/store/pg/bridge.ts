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

/** Longest a single call may take before the store gives up on the database (by default). */
const CALL_TIMEOUT_MS = 60_000;

export class SyncPg {
  readonly #url: string;
  readonly #redacted: string;
  readonly #timeoutMs: number;
  #worker!: Worker;
  #port!: MessagePort;
  #flag!: Int32Array;
  #seq = 0;
  /** Why the current worker cannot take calls (it is replaced on the next call unless closed). */
  #dead: string | undefined;
  #closed = false;

  /** Starts the worker; nothing is connected until the first call. */
  constructor(url: string, timeoutMs = CALL_TIMEOUT_MS) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#redacted = redact(url);
    this.#start();
  }

  #start(): void {
    const { port1, port2 } = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const worker = new Worker(workerSource(), {
      eval: true,
      workerData: { url: this.#url, port: port2, flag },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('error', (e) => {
      if (this.#worker === worker) this.#dead = e.message;
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#dead ??= `exited with code ${code}`;
    });
    this.#worker = worker;
    this.#port = port1;
    this.#flag = new Int32Array(flag);
    this.#dead = undefined;
  }

  /**
   * Runs `op` on the worker and returns its value; rethrows its typed store errors as such. A
   * worker that stopped answering (the call timed out) or died is replaced by a fresh one (a new
   * connection) on the next call, so one stuck query never leaves the process without a store.
   * @throws StoreError when the database cannot be reached or does not answer in time.
   */
  call<T>(op: string, args: unknown[], now: number, extra: Pick<Call, 'worker' | 'leaseTtlMs'> = {}): T {
    if (this.#closed) throw new StoreError('the PostgreSQL store is closed');
    if (this.#dead) {
      void this.#worker.terminate();
      this.#start();
    }
    const id = ++this.#seq;
    this.#port.postMessage({ id, op, args, now, ...extra } satisfies Call);
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      if (Atomics.load(this.#flag, 0) === 2) {
        this.#dead = 'it could not start';
        throw new StoreError('the PostgreSQL worker could not start (see the error above)');
      }
      // Lower the flag before looking: a reply posted after the look raises it again.
      Atomics.compareExchange(this.#flag, 0, 1, 0);
      const got = receiveMessageOnPort(this.#port)?.message as Reply<T> | undefined;
      if (got && got.id === id) {
        if (got.ok) return got.value;
        throw fromWire(got.error, this.#redacted);
      }
      if (got) continue; // a late reply to an earlier call: nobody waits for it any more
      if (this.#dead) throw new StoreError(`the PostgreSQL worker stopped (${this.#dead})`);
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#dead = `no answer within ${this.#timeoutMs / 1000} s`;
        throw new StoreError(
          `PostgreSQL ${this.#redacted} did not answer ${op} within ${this.#timeoutMs / 1000} s`,
        );
      }
      Atomics.wait(this.#flag, 0, 0, Math.min(left, 1000));
    }
  }

  /** Closes the connection and stops the worker. */
  close(): void {
    if (this.#closed) return;
    if (!this.#dead) {
      try {
        this.call('close', [], Date.now());
      } catch {
        // closing anyway
      }
    }
    this.#closed = true;
    void this.#worker.terminate();
  }
}

type Reply<T> = { id: number; ok: true; value: T } | { id: number; ok: false; error: WireError };

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
