/** A small HTTP server for `GET /healthz` and `GET /metrics` on FF2_METRICS_PORT. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpsResponse } from './health.js';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(
  port: number,
  host: string | undefined,
  answer: (path: string) => Promise<OpsResponse | undefined>,
): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    answer(path).then(
      (reply) => {
        if (!reply) return void res.writeHead(404).end();
        res.writeHead(reply.status, { 'content-type': reply.contentType });
        res.end(req.method === 'HEAD' ? undefined : reply.body);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
