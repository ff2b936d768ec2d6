/**
 * The HTTP front of the Slack front door, run in a worker thread so acks never wait for the main
 * thread (whose turns are taken by SQLite commits, process spawns and model replies):
 * `POST /slack/events` checks the request's signature (signature.ts), answers Slack's ssl_check
 * and url_verification itself, acks everything else with an empty 200 at once, then hands the
 * parsed body to the main thread. `GET /healthz` answers 200 while serving; with `forwardOps`,
 * /healthz and /metrics are answered by the main thread. The worker's entry point (receiver.ts
 * starts it); it imports only Node built-ins and signature.ts.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { signatureProblem } from './signature.js';

export interface AckWorkerData {
  /** 0 picks a free port. */
  port: number;
  host: string | undefined;
  signingSecret: string;
  /** Largest request body accepted, in bytes (413 above). */
  bodyLimit: number;
  /** Ask the main thread for GET /healthz and /metrics. */
  forwardOps: boolean;
}

/** Messages to the main thread. */
export type FromAckWorker =
  | { type: 'listening'; port: number }
  | { type: 'event'; body: Record<string, unknown>; retryNum?: number; retryReason?: string }
  | { type: 'rejected'; reason: string }
  | { type: 'error'; message: string }
  | { type: 'ops'; id: number; path: string }
  | { type: 'closed' };

/** Messages from the main thread. */
export type ToAckWorker =
  | 'close'
  | { type: 'ops-reply'; id: number; status: number; contentType: string; body: string };

const OPS_TIMEOUT_MS = 2000;

function reply(res: ServerResponse, status: number, body = '', type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function parse(headers: IncomingHttpHeaders, raw: string): Record<string, unknown> {
  const type = String(headers['content-type'] ?? '');
  if (type.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const form = Object.fromEntries(new URLSearchParams(raw));
  return typeof form.payload === 'string' ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
}

function serve(port: NonNullable<typeof parentPort>, data: AckWorkerData): void {
  const send = (message: FromAckWorker) => port.postMessage(message);
  const opsWaiting = new Map<number, { res: ServerResponse; timer: NodeJS.Timeout; head: boolean }>();
  let opsSeq = 0;

  // One the main thread cannot answer in time is not live.
  const forward = (res: ServerResponse, path: string, head: boolean) => {
    const id = ++opsSeq;
    const timer = setTimeout(() => {
      opsWaiting.delete(id);
      const error = { ok: false, error: 'the main thread did not answer within 2 s' };
      reply(res, 503, JSON.stringify(error), 'application/json');
    }, OPS_TIMEOUT_MS);
    opsWaiting.set(id, { res, timer, head });
    send({ type: 'ops', id, path });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if ((path === '/healthz' || path === '/metrics') && (req.method === 'GET' || req.method === 'HEAD')) {
      if (data.forwardOps) return forward(res, path, req.method === 'HEAD');
      if (path === '/healthz') return reply(res, 200, JSON.stringify({ ok: true }), 'application/json');
    }
    if (path !== '/slack/events' || req.method !== 'POST') {
      req.resume();
      return reply(res, 404);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= data.bodyLimit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > data.bodyLimit) return reply(res, 413);
      const raw = Buffer.concat(chunks).toString('utf8');
      const problem = signatureProblem(data.signingSecret, req.headers, raw);
      if (problem) {
        send({ type: 'rejected', reason: problem });
        return reply(res, 401);
      }
      let body: Record<string, unknown>;
      try {
        body = parse(req.headers, raw);
      } catch {
        return reply(res, 400);
      }
      if (body.ssl_check === '1') return reply(res, 200);
      if (body.type === 'url_verification')
        return reply(res, 200, JSON.stringify({ challenge: body.challenge }), 'application/json');
      reply(res, 200);
      const retry = req.headers['x-slack-retry-num'];
      const reason = req.headers['x-slack-retry-reason'];
      send({
        type: 'event',
        body,
        ...(retry === undefined ? {} : { retryNum: Number(retry) }),
        ...(typeof reason === 'string' ? { retryReason: reason } : {}),
      });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('error', (error) => send({ type: 'error', message: String(error?.message) }));
  server.listen(data.port, data.host, () =>
    send({ type: 'listening', port: (server.address() as AddressInfo).port }),
  );
  port.on('message', (message: ToAckWorker) => {
    if (typeof message === 'object' && message.type === 'ops-reply') {
      const waiting = opsWaiting.get(message.id);
      if (!waiting) return;
      opsWaiting.delete(message.id);
      clearTimeout(waiting.timer);
      return reply(waiting.res, message.status, waiting.head ? '' : message.body, message.contentType);
    }
    if (message !== 'close') return;
    server.close(() => send({ type: 'closed' }));
    server.closeIdleConnections();
  });
}

if (parentPort) serve(parentPort, workerData as AckWorkerData);
