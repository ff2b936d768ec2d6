/**
 * A Discord REST + Gateway stand-in on one node:http server (127.0.0.1, port 0) so the real
 * discord.js runs end to end. It records every REST call, keeps the messages and threads the
 * bot creates, pushes gateway dispatches (commands, clicks, modal submits, thread messages),
 * serves attachment downloads, and can fail chosen calls (429, 4xx, 5xx).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** Wire JSON as the tests read it; assertions on recorded calls do the checking. */
// biome-ignore lint/suspicious/noExplicitAny: parsed wire payloads are asserted on, not trusted
export type Json = any;

export interface RecordedCall {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  auth: string | null;
  /** JSON body, or the `payload_json` of a multipart body. */
  body: Json;
  /** Query string parameters. */
  query: Record<string, string>;
  files: { name: string; bytes: Buffer; contentType: string }[];
  status: number;
  at: number;
}
export interface RawUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Failure = { match: (call: RecordedCall) => boolean; reply: Reply; times: number };
/**
 * `before`: the request is recorded but never reaches "Discord" and is never answered.
 * `after`: Discord applies it (the message exists) but the answer never arrives.
 */
export type HangMode = 'before' | 'after';
type Hang = { match: (call: RecordedCall) => boolean; mode: HangMode; resolve: (call: RecordedCall) => void };
/** How long Discord remembers a nonce sent with enforce_nonce (a few minutes). */
const NONCE_WINDOW_MS = 5 * 60_000;

const ALL_PERMISSIONS = '2251799813685247';
let nextSnowflake = 1_300_000_000_000_000_000n;
export const snowflake = (): string => String(nextSnowflake++);

export function rawUser(id: string, bot = false): RawUser {
  return {
    id,
    username: `user${id}`,
    global_name: `User ${id}`,
    discriminator: '0',
    avatar: null,
    ...(bot ? { bot } : {}),
  };
}

export class DiscordStandIn {
  readonly appId = '1200000000000000001';
  readonly guildId = '1200000000000000002';
  readonly channelId = '1200000000000000003';
  readonly bot = rawUser('1200000000000000004', true);
  readonly calls: RecordedCall[] = [];
  /** Application flags returned by GET /applications/@me (default: MessageContent intent on). */
  appFlags = 1 << 19;
  readonly messages = new Map<string, Json>();
  readonly threads = new Map<string, Json>();
  /** Paths of attachment downloads (GET /attachments/…), in order. */
  readonly downloads: string[] = [];
  /** Interaction id → performance.now() when it was pushed through the gateway. */
  readonly dispatchedAt = new Map<string, number>();
  /** Interaction id → performance.now() when its callback (the first answer) arrived. */
  readonly answeredAt = new Map<string, number>();
  /** Interaction token → the original response message id. */
  private readonly originals = new Map<string, string>();
  private readonly tokens = new Map<string, Json>();
  private readonly files = new Map<string, Buffer>();
  private readonly failures: Failure[] = [];
  private readonly hangs: Hang[] = [];
  /** `channel:author:nonce` → message id and when it was created (enforce_nonce). */
  private readonly nonces = new Map<string, { id: string; at: number }>();
  private readonly sockets = new Set<WebSocket>();
  private seq = 0;
  private identifies = 0;
  /** The `shard` field of each gateway IDENTIFY, in order (undefined when none was sent). */
  readonly identifyShards: ([number, number] | undefined)[] = [];
  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
  ) {}

  static async start(): Promise<DiscordStandIn> {
    const wss = new WebSocketServer({ noServer: true });
    const server = createServer();
    const standIn = new DiscordStandIn(server, wss);
    server.on('request', (req, res) => void standIn.onRequest(req, res));
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => standIn.onSocket(ws)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** What DISCORD_API_URL should be (discord.js appends `/v10`). */
  get apiUrl(): string {
    return `${this.url}/api`;
  }
  get textChannel() {
    return {
      id: this.channelId,
      type: 0,
      guild_id: this.guildId,
      name: 'general',
      position: 0,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
    };
  }

  /** Makes the next `times` calls matching `match` answer with `reply` instead. */
  failNext(match: (call: RecordedCall) => boolean, reply: Reply, times = 1): void {
    this.failures.push({ match, reply, times });
  }

  /** The next call matching `match` hangs (see HangMode); resolves when it arrived. */
  hangNext(match: (call: RecordedCall) => boolean, mode: HangMode): Promise<RecordedCall> {
    return new Promise((resolve) => this.hangs.push({ match, mode, resolve }));
  }

  async waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs = 10_000): Promise<RecordedCall> {
    await until(() => this.calls.some(predicate), timeoutMs, 'a matching Discord call');
    return this.calls.find(predicate)!;
  }

  /** Resolves once a client has identified (`count` times in total). */
  async connected(count = 1): Promise<void> {
    await until(() => this.identifies >= count, 10_000, 'a gateway IDENTIFY');
  }

  /** Sends a gateway dispatch to every connected client. */
  dispatch(t: string, d: unknown): void {
    const frame = JSON.stringify({ op: 0, t, s: ++this.seq, d });
    for (const ws of this.sockets) ws.send(frame);
  }

  slashCommand(
    goal: string,
    userId: string,
    channel: Json = this.textChannel,
    extra: { template?: string; script?: { name: string; bytes: Buffer } } = {},
  ): { id: string; token: string } {
    const options: Json[] = [{ name: 'goal', type: 3, value: goal }];
    if (extra.template) options.push({ name: 'template', type: 3, value: extra.template });
    let resolved: Json | undefined;
    if (extra.script) {
      const attId = snowflake();
      this.files.set(`${attId}/${extra.script.name}`, extra.script.bytes);
      const url = `${this.url}/attachments/${attId}/${extra.script.name}`;
      options.push({ name: 'script', type: 11, value: attId });
      resolved = {
        attachments: {
          [attId]: {
            id: attId,
            filename: extra.script.name,
            size: extra.script.bytes.length,
            url,
            proxy_url: url,
            content_type: 'text/x-python',
          },
        },
      };
    }
    return this.interaction(2, userId, channel, {
      id: '1200000000000000009',
      name: 'ff2',
      type: 1,
      options,
      ...(resolved ? { resolved } : {}),
    });
  }

  click(customId: string, message: Json, userId: string): { id: string; token: string } {
    const channel = this.threads.get(message.channel_id) ?? this.textChannel;
    return this.interaction(3, userId, channel, { custom_id: customId, component_type: 2 }, { message });
  }

  submitModal(customId: string, value: string, userId: string, message: Json): { id: string; token: string } {
    const channel = this.threads.get(message.channel_id) ?? this.textChannel;
    const data = {
      custom_id: customId,
      components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value }] }],
    };
    return this.interaction(5, userId, channel, data, { message });
  }

  /** A person posts in a channel or thread; attachments are served by this stand-in. */
  postMessage(
    channelId: string,
    userId: string,
    content: string,
    attachments: { name: string; bytes: Buffer }[] = [],
  ): string {
    const id = snowflake();
    const thread = this.threads.get(channelId);
    if (thread) this.dispatch('THREAD_CREATE', thread); // discord.js drops messages in threads it has not cached
    const atts = attachments.map((a) => {
      const attId = snowflake();
      this.files.set(`${attId}/${a.name}`, a.bytes);
      const url = `${this.url}/attachments/${attId}/${a.name}`;
      return {
        id: attId,
        filename: a.name,
        size: a.bytes.length,
        url,
        proxy_url: url,
        content_type: 'application/octet-stream',
      };
    });
    this.dispatch('MESSAGE_CREATE', {
      ...this.message(channelId, rawUser(userId), content, id),
      attachments: atts,
      guild_id: this.guildId,
      member: member(rawUser(userId)),
    });
    return id;
  }

  /** Messages the bot posted or edited in a channel, oldest first. */
  messagesIn(channelId: string): Json[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private interaction(type: number, userId: string, channel: Json, data: unknown, extra: object = {}) {
    const id = snowflake();
    const token = `tok-${id}`;
    this.tokens.set(token, channel);
    const payload = {
      id,
      application_id: this.appId,
      type,
      token,
      version: 1,
      guild_id: this.guildId,
      channel_id: channel.id,
      channel,
      member: { ...member(rawUser(userId)), permissions: ALL_PERMISSIONS },
      app_permissions: ALL_PERMISSIONS,
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
      context: 0,
      data,
      ...extra,
    };
    this.dispatchedAt.set(id, performance.now());
    this.dispatch('INTERACTION_CREATE', payload);
    return { id, token };
  }

  private message(channelId: string, author: RawUser, content: string, id = snowflake()) {
    return {
      id,
      channel_id: channelId,
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      type: 0,
      flags: 0,
    };
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { op: number };
      if (frame.op === 1) ws.send(JSON.stringify({ op: 11 }));
      if (frame.op === 6) ws.send(JSON.stringify({ op: 9, d: false }));
      if (frame.op !== 2) return;
      this.identifies++;
      this.identifyShards.push((frame as { d?: { shard?: [number, number] } }).d?.shard);
      const ready = {
        v: 10,
        user: this.bot,
        guilds: [{ id: this.guildId, unavailable: true }],
        session_id: `s${this.identifies}`,
        resume_gateway_url: `${this.url.replace('http', 'ws')}/gateway`,
        shard: [0, 1],
        application: { id: this.appId, flags: 0 },
      };
      ws.send(JSON.stringify({ op: 0, t: 'READY', s: ++this.seq, d: ready }));
      ws.send(JSON.stringify({ op: 0, t: 'GUILD_CREATE', s: ++this.seq, d: this.guild() }));
    });
  }

  private guild() {
    return {
      id: this.guildId,
      name: 'ff2 test',
      owner_id: '1',
      unavailable: false,
      member_count: 1,
      large: false,
      joined_at: new Date().toISOString(),
      features: [],
      emojis: [],
      stickers: [],
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: ALL_PERMISSIONS,
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: [this.textChannel],
      threads: [...this.threads.values()],
      members: [member(this.bot)],
    };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      this.downloads.push(url.pathname);
      const bytes = this.files.get(decodeURIComponent(url.pathname.slice('/attachments/'.length)));
      res.writeHead(bytes ? 200 : 404).end(bytes);
      return;
    }
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, '')),
      auth: req.headers.authorization ?? null,
      body: undefined,
      query: Object.fromEntries(url.searchParams),
      files: [],
      status: 0,
      at: performance.now(),
    };
    await parseBody(call, raw, req.headers['content-type'] ?? '');
    const hangAt = this.hangs.findIndex((h) => h.match(call));
    if (hangAt >= 0) {
      const [hang] = this.hangs.splice(hangAt, 1);
      if (hang!.mode === 'after') call.status = this.route(call).status;
      this.calls.push(call);
      hang!.resolve(call);
      return; // never answered
    }
    const failure = this.failures.find((f) => f.times > 0 && f.match(call));
    let reply: Reply;
    if (failure) {
      failure.times--;
      reply = failure.reply;
    } else {
      reply = this.route(call);
    }
    call.status = reply.status;
    this.calls.push(call);
    res.writeHead(reply.status, {
      ...(reply.status === 204 ? {} : { 'content-type': 'application/json' }),
      ...reply.headers,
    });
    res.end(reply.status === 204 ? undefined : JSON.stringify(reply.body ?? {}));
  }

  private route(call: RecordedCall): Reply {
    const p = call.path.split('/').filter(Boolean).map(decodeURIComponent);
    const key = `${call.method} ${p.map((s) => (/^\d+$|^tok-/.test(s) ? ':id' : s)).join('/')}`;
    const ok = (body: unknown) => ({ status: 200, body });
    switch (key) {
      case 'GET gateway/bot':
      case 'GET gateway':
        return ok({
          url: `${this.url.replace('http', 'ws')}/gateway`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        });
      case 'GET applications/@me':
        return ok({ id: this.appId, name: 'ff2 test', flags: this.appFlags });
      case 'GET users/@me':
        return ok(this.bot);
      case 'POST interactions/:id/:id/callback':
        this.answeredAt.set(p[1]!, call.at);
        return { status: 204 };
      case 'PATCH webhooks/:id/:id/messages/@original': {
        const token = p[2]!;
        const id = this.originals.get(token) ?? snowflake();
        this.originals.set(token, id);
        return ok(this.store(this.tokens.get(token)?.id ?? this.channelId, call, id));
      }
      case 'POST webhooks/:id/:id':
        return ok({
          ...this.store(this.tokens.get(p[2]!)?.id ?? this.channelId, call),
          flags: call.body?.flags ?? 0,
        });
      case 'POST channels/:id/messages/:id/threads':
      case 'POST channels/:id/threads': {
        const thread = {
          id: snowflake(),
          type: 11,
          guild_id: this.guildId,
          parent_id: p[1],
          name: call.body?.name ?? 'thread',
          owner_id: this.bot.id,
          member_count: 1,
          message_count: 0,
          rate_limit_per_user: 0,
          flags: 0,
          thread_metadata: {
            archived: false,
            auto_archive_duration: call.body?.auto_archive_duration ?? 1440,
            archive_timestamp: new Date().toISOString(),
            locked: false,
          },
        };
        this.threads.set(thread.id, thread);
        return { status: 201, body: thread };
      }
      case 'GET channels/:id':
        return this.threads.has(p[1]!)
          ? ok(this.threads.get(p[1]!))
          : p[1] === this.channelId
            ? ok(this.textChannel)
            : { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
      case 'POST channels/:id/messages': {
        // enforce_nonce: a repeat of a recent nonce by the same author gets the existing message.
        const nonce = call.body?.nonce;
        const key = `${p[1]}:${this.bot.id}:${nonce}`;
        const seen = nonce !== undefined && call.body?.enforce_nonce ? this.nonces.get(key) : undefined;
        if (seen && Date.now() - seen.at < NONCE_WINDOW_MS && this.messages.has(seen.id))
          return ok({ ...this.messages.get(seen.id), nonce });
        const created = this.store(p[1]!, call);
        if (nonce !== undefined) this.nonces.set(key, { id: created.id, at: Date.now() });
        return ok({ ...created, ...(nonce !== undefined ? { nonce } : {}) });
      }
      case 'GET channels/:id/messages': {
        // Newest first; `after` by id; nonces are not part of fetched messages.
        const after = call.query.after ? BigInt(call.query.after) : -1n;
        const limit = Math.min(100, Number(call.query.limit ?? 50));
        const list = this.messagesIn(p[1]!)
          .filter((m: Json) => BigInt(m.id) > after)
          .sort((a: Json, b: Json) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
        // With `after`, the oldest page after it; without, the newest page.
        const page = call.query.after ? list.slice(0, limit) : list.slice(-limit);
        return ok(page.reverse());
      }
      case 'PATCH channels/:id/messages/:id':
        return this.messages.has(p[3]!)
          ? ok(this.store(p[1]!, call, p[3]!))
          : { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      case 'DELETE webhooks/:id/:id/messages/@original':
      case 'DELETE users/@me/guilds/:id':
        return { status: 204 };
      case 'PUT applications/:id/commands':
      case 'PUT applications/:id/guilds/:id/commands':
        return ok(
          (call.body as Json[]).map((c) => ({
            ...c,
            id: snowflake(),
            application_id: this.appId,
            version: '1',
          })),
        );
      default:
        return { status: 404, body: { message: `stand-in has no route ${key}`, code: 0 } };
    }
  }

  /** Creates or updates a bot message from a REST body (content, components, attachments). */
  private store(channelId: string, call: RecordedCall, id?: string): Json {
    const previous = id ? this.messages.get(id) : undefined;
    const base = previous ?? this.message(channelId, this.bot, '', id);
    const attachments =
      call.files.length > 0
        ? call.files.map((f) => ({
            id: snowflake(),
            filename: f.name,
            size: f.bytes.length,
            url: `${this.url}/x`,
            proxy_url: `${this.url}/x`,
          }))
        : base.attachments;
    const next = {
      ...base,
      ...pick(call.body, ['content', 'components']),
      attachments,
      edited_timestamp: previous ? new Date().toISOString() : null,
    };
    this.messages.set(next.id, next);
    return next;
  }
}

function member(user: RawUser) {
  return { user, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 };
}

function pick(body: Json, keys: string[]): object {
  return Object.fromEntries(keys.filter((k) => body && body[k] !== undefined).map((k) => [k, body[k]]));
}

async function parseBody(call: RecordedCall, raw: Buffer, contentType: string): Promise<void> {
  if (raw.length === 0) return;
  if (!contentType.startsWith('multipart/form-data')) {
    call.body = JSON.parse(raw.toString('utf8'));
    return;
  }
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  for (const [name, value] of form.entries()) {
    if (name === 'payload_json') call.body = JSON.parse(String(value));
    else if (typeof value !== 'string')
      call.files.push({
        name: value.name,
        bytes: Buffer.from(await value.arrayBuffer()),
        contentType: value.type,
      });
  }
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
