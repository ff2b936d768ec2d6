import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A Slack stand-in on 127.0.0.1 (port 0) for tests that run the REAL @slack/bolt:
 * Web API (`/api/<method>`), file upload URLs, private file downloads, response_urls, and a
 * Socket Mode WebSocket. Every call is recorded. Helpers sign and send requests to a bot.
 *
 *   const slack = await startSlackServer();
 *   // SLACK_API_URL = slack.apiUrl
 *   await slack.command(botUrl, { text: 'a csv tool' });
 *   await slack.waitFor((c) => c.method === 'chat.postMessage');
 */

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_USER_ID = 'UBOT0001';
export const BOT_ID = 'BBOT0001';
export const BOT_TOKEN = 'xoxb-test';

export interface SlackCall {
  /** Web API method (`chat.postMessage`), or `upload`, `response`, `download`. */
  method: string;
  path: string;
  authorization: string | undefined;
  /** Parsed body: form fields with JSON values decoded, JSON bodies, multipart fields (files as bytes). */
  body: Record<string, unknown>;
  /** What the stand-in answered (Web API calls). */
  reply?: CannedReply;
  index: number;
  /** performance.now() when the stand-in received it. */
  at?: number;
}

export interface CannedReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** A message as the stand-in keeps it (what conversations.replies/history return). */
export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown;
  bot_id?: string;
  /** Message metadata as posted (returned only with include_all_metadata). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  files?: { id: string; name: string; title?: string }[];
}

/**
 * `before`: the request is recorded but never reaches "Slack" (no effect) and is never answered.
 * `after`: Slack applies it (the message exists) but the answer never arrives.
 */
export type HangMode = 'before' | 'after';

export interface SentRequest {
  status: number;
  body: string;
  /** Request → response time in ms (the bot's ack latency as seen by Slack). */
  ms: number;
}

export interface SlackServer {
  url: string;
  /** Base URL for SLACK_API_URL / clientOptions.slackApiUrl (ends with `/api/`). */
  apiUrl: string;
  calls: SlackCall[];
  /** Answers the next `times` calls of `method` with `reply` instead of the default. */
  failNext(method: string, reply: CannedReply, times?: number): void;
  /** Serves `bytes` at a private URL that needs the bot token; returns the Slack file object. */
  addFile(
    name: string,
    bytes: Uint8Array,
  ): { id: string; name: string; size: number; url_private_download: string };
  /** Resolves with the first recorded call that matches (including earlier ones). */
  waitFor(match: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  /** Calls of a method so far. */
  of(method: string): SlackCall[];
  /** Every message the bot posted or shared files with, oldest first. */
  messages: StoredMessage[];
  /** Replies in a thread (the root excluded), oldest first. */
  thread(channel: string, threadTs: string): StoredMessage[];
  /** The next call matching `match` hangs (see HangMode); resolves when it arrived. */
  hangNext(match: (call: SlackCall) => boolean, mode: HangMode): Promise<SlackCall>;
  command(botUrl: string, fields: Partial<Record<string, string>>, sign?: SignOptions): Promise<SentRequest>;
  event(
    botUrl: string,
    event: Record<string, unknown>,
    eventId: string,
    sign?: SignOptions,
  ): Promise<SentRequest>;
  action(botUrl: string, payload: Record<string, unknown>, sign?: SignOptions): Promise<SentRequest>;
  /** Socket Mode: pushes an envelope to every connected client and resolves with its ack. */
  pushEnvelope(
    type: 'slash_commands' | 'events_api' | 'interactive',
    payload: unknown,
  ): Promise<Record<string, unknown>>;
  /** Number of open Socket Mode connections. */
  sockets(): number;
  close(): Promise<void>;
}

export interface SignOptions {
  secret?: string;
  /** Seconds since epoch; default now. */
  timestamp?: number;
  /** Send a wrong signature. */
  tamper?: boolean;
  /** Extra headers (e.g. X-Slack-Retry-Num). */
  headers?: Record<string, string>;
}

let fileCounter = 0;

export async function startSlackServer(): Promise<SlackServer> {
  const calls: SlackCall[] = [];
  const failures = new Map<string, CannedReply[]>();
  const files = new Map<string, Uint8Array>();
  const waiters: { match: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }[] = [];
  const messages: StoredMessage[] = [];
  const uploadNames = new Map<string, string>();
  const hangs: { match: (c: SlackCall) => boolean; mode: HangMode; resolve: (c: SlackCall) => void }[] = [];
  const takeHang = (call: SlackCall) => {
    const i = hangs.findIndex((h) => h.match(call));
    return i < 0 ? undefined : hangs.splice(i, 1)[0];
  };
  /** conversations.replies (a thread, root first) / history (channel messages, newest first), paged. */
  const listMessages = (method: string, body: Record<string, unknown>) => {
    const channel = String(body.channel);
    const oldest = body.oldest === undefined ? undefined : String(body.oldest);
    const inclusive = body.inclusive === true || body.inclusive === 'true';
    const withMetadata = body.include_all_metadata === true || body.include_all_metadata === 'true';
    const after = (m: StoredMessage) =>
      oldest === undefined || (inclusive ? !tsBefore(m.ts, oldest) : tsBefore(oldest, m.ts));
    let list =
      method === 'conversations.replies'
        ? messages.filter(
            (m) => m.channel === channel && (m.ts === String(body.ts) || m.thread_ts === String(body.ts)),
          )
        : messages.filter((m) => m.channel === channel && !m.thread_ts).reverse();
    list = list.filter(after);
    const start = Number(body.cursor ?? 0) || 0;
    const limit = Number(body.limit ?? 100) || 100;
    const page = list.slice(start, start + limit).map((m) => {
      const { metadata, channel: _c, ...rest } = m;
      return withMetadata && metadata ? { ...rest, metadata } : rest;
    });
    const more = start + limit < list.length;
    return {
      messages: page,
      has_more: more,
      response_metadata: { next_cursor: more ? String(start + limit) : '' },
    };
  };
  let ts = 0;
  const nextTs = () => `1712000000.${String(++ts).padStart(6, '0')}`;
  let base = '';

  const record = (call: Omit<SlackCall, 'index'>) => {
    const full = { ...call, index: calls.length, at: performance.now() };
    calls.push(full);
    for (const w of [...waiters]) {
      if (w.match(full)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(full);
      }
    }
  };

  const api = (method: string, body: Record<string, unknown>): CannedReply => {
    const queued = failures.get(method);
    if (queued && queued.length > 0) return queued.shift()!;
    switch (method) {
      case 'auth.test':
        return ok({
          url: 'https://test.slack.com/',
          team: 'T',
          user: 'ff2',
          team_id: 'T1',
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
        });
      case 'chat.postMessage': {
        const t = nextTs();
        const metadata = typeof body.metadata === 'string' ? decodeJson(body.metadata) : body.metadata;
        messages.push({
          channel: String(body.channel),
          ts: t,
          ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
          text: String(body.text ?? ''),
          blocks: body.blocks,
          bot_id: BOT_ID,
          ...(metadata && typeof metadata === 'object'
            ? { metadata: metadata as StoredMessage['metadata'] }
            : {}),
        });
        return ok({ channel: body.channel, ts: t, message: { ts: t, text: body.text, bot_id: BOT_ID } });
      }
      case 'chat.update': {
        const m = messages.find((x) => x.channel === body.channel && x.ts === body.ts);
        if (m) Object.assign(m, { text: String(body.text ?? ''), blocks: body.blocks });
        return ok({ channel: body.channel, ts: body.ts, text: body.text });
      }
      case 'conversations.replies':
      case 'conversations.history':
        return ok(listMessages(method, body));
      case 'chat.postEphemeral':
        return ok({ message_ts: nextTs() });
      case 'files.getUploadURLExternal': {
        const id = `F${++fileCounter}`;
        uploadNames.set(id, String(body.filename ?? id));
        return ok({ upload_url: `${base}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal':
        // Sharing into a channel/thread shows the files as one message there.
        if (body.channel_id)
          messages.push({
            channel: String(body.channel_id),
            ts: nextTs(),
            ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
            text: '',
            bot_id: BOT_ID,
            files: (body.files as { id: string; title?: string }[]).map((f) => ({
              id: f.id,
              name: uploadNames.get(f.id) ?? f.id,
              ...(f.title ? { title: f.title } : {}),
            })),
          });
        return ok({
          files: (body.files as { id: string; title?: string }[]).map((f) => ({ id: f.id, title: f.title })),
        });
      case 'views.open':
        return ok({ view: { id: `V${nextTs()}` } });
      case 'apps.connections.open':
        return ok({ url: `${base.replace('http', 'ws')}/socket` });
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const path = (req.url ?? '').split('?', 1)[0] ?? '';
        const authorization = req.headers.authorization;
        if (req.method === 'GET' && path.startsWith('/files/')) {
          const id = path.slice('/files/'.length);
          record({ method: 'download', path, authorization, body: { id } });
          const bytes = files.get(id);
          if (!bytes || authorization !== `Bearer ${BOT_TOKEN}`)
            return send(res, { status: 404, body: 'not found' });
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          return res.end(Buffer.from(bytes));
        }
        const body = await parseBody(req.headers, raw);
        if (path.startsWith('/upload/')) {
          const call = { method: 'upload', path, authorization, body, index: calls.length };
          const hang = takeHang(call);
          record({ method: 'upload', path, authorization, body });
          if (hang) return hang.resolve(call);
          return send(res, { status: 200, body: 'OK' });
        }
        if (path.startsWith('/response/')) {
          record({ method: 'response', path, authorization, body });
          return send(res, ok({}));
        }
        if (path.startsWith('/api/')) {
          const method = path.slice('/api/'.length);
          const hang = takeHang({ method, path, authorization, body, index: calls.length });
          if (hang) {
            if (hang.mode === 'after') api(method, body);
            record({ method, path, authorization, body });
            return hang.resolve(calls[calls.length - 1]!);
          }
          const reply = api(method, body);
          record({ method, path, authorization, body, reply });
          return send(res, reply);
        }
        send(res, { status: 404, body: 'no route' });
      })();
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const pendingAcks = new Map<string, (ack: Record<string, unknown>) => void>();
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/socket')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const ack = JSON.parse(String(data)) as Record<string, unknown>;
        const resolve = pendingAcks.get(String(ack.envelope_id));
        if (resolve) {
          pendingAcks.delete(String(ack.envelope_id));
          resolve(ack);
        }
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { approximate_connection_time: 3600 },
          connection_info: { app_id: 'A1' },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let envelopes = 0;

  const signedPost = async (
    url: string,
    body: string,
    contentType: string,
    sign: SignOptions = {},
  ): Promise<SentRequest> => {
    const timestamp = sign.timestamp ?? Math.floor(Date.now() / 1000);
    const hmac = createHmac('sha256', sign.secret ?? SIGNING_SECRET)
      .update(`v0:${timestamp}:${body}`)
      .digest('hex');
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': `v0=${sign.tamper ? hmac.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : hmac}`,
        ...sign.headers,
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text, ms: performance.now() - started };
  };

  return {
    url: base,
    apiUrl: `${base}/api/`,
    calls,
    failNext(method, reply, times = 1) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(reply);
      failures.set(method, list);
    },
    addFile(name, bytes) {
      const id = `F${++fileCounter}`;
      files.set(id, bytes);
      return { id, name, size: bytes.byteLength, url_private_download: `${base}/files/${id}` };
    },
    waitFor(match, timeoutMs = 10_000) {
      const found = calls.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (c: SlackCall) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `no matching Slack call within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    of: (method) => calls.filter((c) => c.method === method),
    messages,
    thread: (channel, threadTs) =>
      messages.filter((m) => m.channel === channel && m.thread_ts === threadTs && m.ts !== threadTs),
    hangNext(match, mode) {
      return new Promise((resolve) => hangs.push({ match, mode, resolve }));
    },
    command(botUrl, fields, sign) {
      const params = new URLSearchParams({
        token: 'legacy',
        team_id: 'T1',
        team_domain: 'test',
        channel_id: 'C1',
        channel_name: 'general',
        user_id: 'U1',
        user_name: 'ann',
        command: '/ff2',
        text: '',
        api_app_id: 'A1',
        response_url: `${base}/response/${++ts}`,
        trigger_id: `trigger.${ts}`,
      });
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.set(k, v);
      return signedPost(botUrl, params.toString(), 'application/x-www-form-urlencoded', sign);
    },
    event(botUrl, event, eventId, sign) {
      const body = JSON.stringify({
        token: 'legacy',
        team_id: 'T1',
        api_app_id: 'A1',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: 'T1', user_id: BOT_USER_ID, is_bot: true }],
        event,
      });
      return signedPost(botUrl, body, 'application/json', sign);
    },
    action(botUrl, payload, sign) {
      const full = {
        token: 'legacy',
        team: { id: 'T1', domain: 'test' },
        api_app_id: 'A1',
        response_url: `${base}/response/${++ts}`,
        trigger_id: `trigger.${ts}`,
        ...payload,
      };
      const body = new URLSearchParams({ payload: JSON.stringify(full) }).toString();
      return signedPost(botUrl, body, 'application/x-www-form-urlencoded', sign);
    },
    pushEnvelope(type, payload) {
      const envelopeId = `env-${++envelopes}`;
      return new Promise((resolve, reject) => {
        if (sockets.size === 0) return reject(new Error('no Socket Mode client connected'));
        pendingAcks.set(envelopeId, resolve);
        for (const ws of sockets)
          ws.send(
            JSON.stringify({
              envelope_id: envelopeId,
              type,
              payload,
              accepts_response_payload: type !== 'events_api',
            }),
          );
      });
    },
    sockets: () => sockets.size,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function ok(body: Record<string, unknown>): CannedReply {
  return { status: 200, body: { ok: true, ...body } };
}

function send(res: import('node:http').ServerResponse, reply: CannedReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status ?? 200, {
    'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
    ...reply.headers,
  });
  res.end(text);
}

async function parseBody(headers: IncomingHttpHeaders, raw: Buffer): Promise<Record<string, unknown>> {
  const type = headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const out: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      out[key] = typeof value === 'string' ? value : new Uint8Array(await value.arrayBuffer());
    }
    return out;
  }
  const text = raw.toString('utf8');
  if (type.includes('application/json')) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { raw: text };
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(text)) out[key] = decodeJson(value);
    return out;
  }
  // Raw uploads (files.uploadV2 posts the bytes as the body).
  return raw.length > 0 ? { bytes: new Uint8Array(raw) } : {};
}

function decodeJson(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** True when Slack timestamp `a` is older than `b` (compared exactly, not as floats). */
function tsBefore(a: string, b: string): boolean {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  if (as !== bs) return Number(as) < Number(bs);
  return af.padEnd(6, '0') < bf.padEnd(6, '0');
}
