/**
 * The HTTP front for Bolt's HTTPReceiver: `POST /slack/events` (Bolt verifies the signature and
 * rejects timestamps more than 5 minutes OLD; this gate also rejects those more than 5 minutes in
 * the FUTURE, which Bolt accepts) and `GET /healthz`. Bolt's own server is not used so the gate
 * runs before Bolt reads the body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logger.js';

export const EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';
/** Largest accepted clock difference between Slack's timestamp and ours, in seconds. */
export const MAX_SKEW_S = 300;

export interface SlackHttpOptions {
  /** Bolt's HTTPReceiver.requestListener (verifies, parses, acks, dispatches). */
  requestListener: (req: IncomingMessage, res: ServerResponse) => void;
  logger: Logger;
  /** Clock in epoch ms; injected for tests. */
  now?: () => number;
  /** What /healthz reports; defaults to "ok". */
  health?: () => { ok: boolean; detail?: string };
}

/** True when the header is a whole number of seconds within MAX_SKEW_S of now (either side). */
export function isFreshTimestamp(header: string | string[] | undefined, nowMs: number): boolean {
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header)) return false;
  return Math.abs(nowMs / 1000 - Number(header)) <= MAX_SKEW_S;
}

export function createSlackHttpServer(options: SlackHttpOptions): Server {
  const now = options.now ?? Date.now;
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const health = options.health?.() ?? { ok: true };
      return reply(res, health.ok ? 200 : 503, JSON.stringify(health));
    }
    if (path === EVENTS_PATH && req.method === 'POST') {
      if (!isFreshTimestamp(req.headers['x-slack-request-timestamp'], now())) {
        options.logger.warn('slack request rejected: timestamp missing or too far from now');
        req.resume();
        return reply(res, 401, '');
      }
      try {
        options.requestListener(req, res);
      } catch (error) {
        options.logger.error('slack request failed', { error: (error as Error).message });
        if (!res.headersSent) reply(res, 500, '');
      }
      return;
    }
    req.resume();
    reply(res, 404, '');
  });
}

/** Listens and resolves with the bound port. */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, ends idle keep-alive sockets, and resolves when every request has finished. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': body ? 'application/json' : 'text/plain' });
  res.end(body);
}
