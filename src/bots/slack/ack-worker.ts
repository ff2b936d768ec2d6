/**
 * The HTTP front of the Slack front door, run in a worker thread so acks never wait for the main
 * thread (whose turns are taken by SQLite commits, process spawns and model replies):
 * `POST /slack/events` checks the timestamp (±5 min, both ways — Bolt only rejects old ones) and
 * the HMAC signature (constant-time), answers Slack's ssl_check and url_verification itself, acks
 * everything else with an empty 200 at once, then hands the parsed body to the main thread.
 * `GET /healthz` answers 200 while serving. Plain JavaScript with Node built-ins only, so the same
 * source runs from `dist/`, under tsx and under vitest (a `new Worker(source, { eval: true })`).
 *
 * workerData: { port, host?, signingSecret, bodyLimit, forwardOps }. Messages to the parent:
 * { type: 'listening', port } | { type: 'event', body, retryNum?, retryReason? } |
 * { type: 'rejected', reason } | { type: 'ops', id, path } (GET /healthz, /metrics when forwardOps).
 * From the parent: 'close' → { type: 'closed' }; { type: 'ops-reply', id, status, contentType, body }.
 */
export const ACK_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac, timingSafeEqual } = require('node:crypto');
const http = require('node:http');
const MAX_SKEW_S = 300;
const { port, host, signingSecret, bodyLimit, forwardOps } = workerData;
const OPS_TIMEOUT_MS = 2000;
const opsWaiting = new Map();
let opsSeq = 0;

// /healthz and /metrics are answered by the main thread; one that cannot answer in time is not live.
function forward(req, res, path) {
  const id = ++opsSeq;
  const timer = setTimeout(() => {
    opsWaiting.delete(id);
    reply(res, 503, JSON.stringify({ ok: false, error: 'the main thread did not answer within 2 s' }), 'application/json');
  }, OPS_TIMEOUT_MS);
  opsWaiting.set(id, { res, timer, head: req.method === 'HEAD' });
  parentPort.postMessage({ type: 'ops', id, path });
}

function reply(res, status, body, type) {
  res.writeHead(status, { 'content-type': type || 'text/plain' });
  res.end(body || '');
}

function verify(headers, raw) {
  const ts = headers['x-slack-request-timestamp'];
  const sig = headers['x-slack-signature'];
  if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) return 'timestamp missing';
  if (Math.abs(Date.now() / 1000 - Number(ts)) > MAX_SKEW_S) return 'timestamp too far from now';
  if (typeof sig !== 'string' || !sig.startsWith('v0=')) return 'signature missing';
  const ours = Buffer.from('v0=' + createHmac('sha256', signingSecret).update('v0:' + ts + ':' + raw).digest('hex'));
  const theirs = Buffer.from(sig);
  if (ours.length !== theirs.length || !timingSafeEqual(ours, theirs)) return 'signature mismatch';
  return undefined;
}

function parse(headers, raw) {
  const type = String(headers['content-type'] || '');
  if (type.includes('application/json')) return JSON.parse(raw);
  const form = Object.fromEntries(new URLSearchParams(raw));
  return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
}

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?', 1)[0];
  if ((path === '/healthz' || path === '/metrics') && (req.method === 'GET' || req.method === 'HEAD')) {
    if (forwardOps) return forward(req, res, path);
    if (path === '/healthz') return reply(res, 200, JSON.stringify({ ok: true }), 'application/json');
  }
  if (path !== '/slack/events' || req.method !== 'POST') {
    req.resume();
    return reply(res, 404);
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= bodyLimit) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > bodyLimit) return reply(res, 413);
    const raw = Buffer.concat(chunks).toString('utf8');
    const problem = verify(req.headers, raw);
    if (problem) {
      parentPort.postMessage({ type: 'rejected', reason: problem });
      return reply(res, 401);
    }
    let body;
    try {
      body = parse(req.headers, raw);
    } catch {
      return reply(res, 400);
    }
    if (body.ssl_check === '1') return reply(res, 200);
    if (body.type === 'url_verification') {
      return reply(res, 200, JSON.stringify({ challenge: body.challenge }), 'application/json');
    }
    reply(res, 200);
    const retry = req.headers['x-slack-retry-num'];
    parentPort.postMessage({
      type: 'event',
      body,
      retryNum: retry === undefined ? undefined : Number(retry),
      retryReason: req.headers['x-slack-retry-reason'],
    });
  });
});
server.keepAliveTimeout = 65000;
server.on('error', (error) => parentPort.postMessage({ type: 'error', message: String(error && error.message) }));
server.listen(port, host, () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (message) => {
  if (message && message.type === 'ops-reply') {
    const waiting = opsWaiting.get(message.id);
    if (!waiting) return;
    opsWaiting.delete(message.id);
    clearTimeout(waiting.timer);
    return reply(waiting.res, message.status, waiting.head ? '' : message.body, message.contentType);
  }
  if (message !== 'close') return;
  server.close(() => parentPort.postMessage({ type: 'closed' }));
  server.closeIdleConnections();
});
`;
