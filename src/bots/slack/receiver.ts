/**
 * A Bolt Receiver whose HTTP server runs in a worker thread (see ack-worker.ts): requests are
 * verified and acked there, and only verified bodies reach the main thread, where Bolt routes
 * them to ff2's listeners as usual (their `ack()` is a no-op: Slack already has its 200).
 */
import { Worker } from 'node:worker_threads';
import type { App, Receiver } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { OpsResponse } from '../../ops/health.js';
import { ACK_WORKER_SOURCE } from './ack-worker.js';

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

type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'event'; body: Record<string, unknown>; retryNum?: number; retryReason?: string }
  | { type: 'rejected'; reason: string }
  | { type: 'error'; message: string }
  | { type: 'ops'; id: number; path: string }
  | { type: 'closed' };

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
    const worker = new Worker(ACK_WORKER_SOURCE, {
      eval: true,
      workerData: { signingSecret, port, host, bodyLimit, forwardOps: Boolean(this.options.ops) },
    });
    this.worker = worker;
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.boundPort = await new Promise<number>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
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
      const onMessage = (message: FromWorker) => {
        if (message.type === 'closed') resolve();
      };
      worker.on('message', onMessage);
      setTimeout(resolve, 3000).unref();
    });
    worker.postMessage('close');
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
    this.worker?.postMessage({ type: 'ops-reply', id, ...reply });
  }

  private onMessage(message: FromWorker): void {
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
