/**
 * A Bolt Receiver whose HTTP server runs in a worker thread (ack-worker.ts): requests are
 * verified and acked there, and only verified bodies reach the main thread, where Bolt routes
 * them to ff2's listeners as usual (their `ack()` is a no-op: Slack already has its 200).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { App, Receiver } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { OpsResponse } from '../../ops/health.js';
import type { AckWorkerData, FromAckWorker, ToAckWorker } from './ack-worker.js';

/**
 * The worker's entry: the compiled ack-worker.js beside this file, or, when ff2 runs from its
 * TypeScript sources (tsx, vitest), ack-worker.ts loaded through tsx.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ACK_WORKER = new URL(FROM_SOURCE ? './ack-worker.ts' : './ack-worker.js', import.meta.url);

/** Starts the ack worker; from sources, a two-line bootstrap registers tsx's loader in it first. */
function startWorker(workerData: AckWorkerData): Worker {
  if (!FROM_SOURCE) return new Worker(ACK_WORKER, { workerData });
  // tsx's ESM entry (its CommonJS one cannot register the ESM loader).
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(manifest), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(ACK_WORKER.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

export interface WorkerReceiverOptions {
  signingSecret: string;
  /** 0 picks a free port. */
  port: number;
  /** Bind address; all interfaces when absent. */
  host?: string;
  logger: Logger;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Answers GET /healthz and /metrics on the same port (main thread); a bare `{ ok: true }` health when absent. */
  ops?: (path: string) => Promise<OpsResponse | undefined>;
}

export class WorkerReceiver implements Receiver {
  private app: App | undefined;
  private worker: Worker | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: WorkerReceiverOptions) {}

  /** The bound port once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<number> {
    if (this.worker) throw new Error('WorkerReceiver.start called twice');
    const { signingSecret, port, host, bodyLimit = 1024 * 1024 } = this.options;
    const workerData: AckWorkerData = {
      signingSecret,
      port,
      host,
      bodyLimit,
      forwardOps: Boolean(this.options.ops),
    };
    const worker = startWorker(workerData);
    this.worker = worker;
    worker.on('message', (message: FromAckWorker) => this.onMessage(message));
    this.boundPort = await new Promise<number>((resolve, reject) => {
      const onMessage = (message: FromAckWorker) => {
        if (message.type === 'listening') resolve(message.port);
        else if (message.type === 'error') reject(new Error(message.message));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const closed = new Promise<void>((resolve) => {
      const onMessage = (message: FromAckWorker) => {
        if (message.type === 'closed') resolve();
      };
      worker.on('message', onMessage);
      setTimeout(resolve, 3000).unref();
    });
    worker.postMessage('close' satisfies ToAckWorker);
    await closed;
    await worker.terminate();
  }

  private async answerOps(id: number, path: string): Promise<void> {
    let answer: OpsResponse | undefined;
    try {
      answer = await this.options.ops?.(path);
    } catch (error) {
      this.options.logger.error('ops request failed', { path, error: (error as Error).message });
      answer = { status: 500, contentType: 'text/plain', body: 'internal error' };
    }
    const reply = answer ?? { status: 404, contentType: 'text/plain', body: '' };
    this.worker?.postMessage({ type: 'ops-reply', id, ...reply } satisfies ToAckWorker);
  }

  private onMessage(message: FromAckWorker): void {
    if (message.type === 'ops') {
      void this.answerOps(message.id, message.path);
      return;
    }
    if (message.type === 'rejected') {
      this.options.logger.warn('slack request rejected', { reason: message.reason });
      return;
    }
    if (message.type !== 'event' || !this.app) return;
    this.app
      .processEvent({
        body: message.body,
        ack: async () => {},
        ...(message.retryNum !== undefined ? { retryNum: message.retryNum } : {}),
        ...(message.retryReason ? { retryReason: message.retryReason } : {}),
        customProperties: {},
      })
      .catch((error: unknown) => {
        this.options.logger.error('slack event failed', { error: (error as Error).message });
      });
  }
}
