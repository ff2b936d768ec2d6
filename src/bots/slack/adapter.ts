/**
 * The Slack front door: `/ff2 <goal>` posts a root message in the channel and the session lives in
 * its thread. Socket Mode (no public URL) or HTTP (`POST /slack/events`, signature-checked, plus
 * `GET /healthz`). Translates only — the router decides who may steer, dedupes and orders.
 */
import type { App, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { downloadCapped } from '../download.js';
import type { ChatAdapter, ChatEvent, MessageRef, Outgoing, ThreadRef } from '../types.js';
import { type FoundDelivery, findDelivered, outboxMetadata } from './delivery.js';
import { toAdapterError } from './errors.js';
import { formatMessage } from './format.js';
import { type InboundContext, registerListeners } from './inbound.js';
import { EmitLane } from './lane.js';
import type { WorkerReceiver } from './receiver.js';

export type SlackTransport =
  | { kind: 'socket'; receiver: SocketModeReceiver }
  /** HTTP: `POST /slack/events` and `GET /healthz`, verified and acked in a worker thread. */
  | { kind: 'http'; receiver: WorkerReceiver };

export interface SlackAdapterOptions {
  /** A Bolt App built by the composition root over `transport.receiver`, not started. */
  app: App;
  transport: SlackTransport;
  /** Used to download files people attach (Authorization: Bearer). */
  botToken: string;
  logger: Logger;
  /** Downloads files; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Pause between posts in one channel, for the outbox (Slack allows ≈ 1 post/s per channel). Default 1,000 ms. */
  perChannelIntervalMs?: number;
  /** Posts one channel may take back to back (Slack tolerates short bursts). Default 3. */
  perChannelBurst?: number;
  /** Web API requests in flight at once from the outbox. Default 10. */
  maxInFlight?: number;
  /** Message edits per minute from the outbox in all (chat.update is Tier 3, 50+/min). Default 0: none. */
  editsPerMinute?: number;
}

export class SlackAdapter implements ChatAdapter {
  readonly platform = 'slack' as const;
  readonly perChannelIntervalMs: number;
  readonly perChannelBurst: number;
  readonly maxInFlight: number;
  readonly editsPerMinute: number;
  private readonly app: App;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;
  private boundPort: number | undefined;
  private started = false;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly lane = new EmitLane();

  constructor(private readonly options: SlackAdapterOptions) {
    this.app = options.app;
    this.logger = options.logger.child('slack');
    this.fetchImpl = options.fetch ?? fetch;
    this.perChannelIntervalMs = options.perChannelIntervalMs ?? 1000;
    this.perChannelBurst = options.perChannelBurst ?? 3;
    this.maxInFlight = options.maxInFlight ?? 10;
    this.editsPerMinute = options.editsPerMinute ?? 0;
  }

  /** The HTTP port in HTTP mode once started (useful with port 0); undefined in Socket Mode. */
  get port(): number | undefined {
    return this.boundPort;
  }

  async start(onEvent: (event: ChatEvent) => Promise<void>): Promise<void> {
    if (this.started) throw new Error('SlackAdapter.start called twice');
    this.started = true;
    let botUserId: string | undefined;
    try {
      // Fails fast on a bad token or an unreachable API instead of failing every later event.
      const auth = await this.app.client.auth.test();
      botUserId = typeof auth.user_id === 'string' ? auth.user_id : undefined;
    } catch (error) {
      throw toAdapterError(error, 'auth.test (check SLACK_BOT_TOKEN)');
    }
    const ctx: InboundContext = {
      app: this.app,
      logger: this.logger,
      emit: async (event) => {
        if (!this.stopped) await onEvent(event);
      },
      download: (url, max) => this.download(url, max),
      botUserId,
      defer: (work) => this.lane.run(work),
      track: (work) => {
        this.inflight.add(work);
        return work.finally(() => this.inflight.delete(work));
      },
    };
    registerListeners(ctx);
    this.app.error(async (error) => {
      this.logger.error('slack listener failed', { error: error.message });
    });
    const transport = this.options.transport;
    try {
      await this.app.start();
      this.boundPort = transport.kind === 'http' ? transport.receiver.port : undefined;
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, 'start');
    }
    this.logger.info('slack connected', { mode: transport.kind, port: this.boundPort, botUserId });
  }

  /** Resolves when no inbound request is being translated (its event handed to the router and handled). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async send(thread: ThreadRef, message: Outgoing): Promise<MessageRef> {
    const { text, blocks, files } = formatMessage(message, message.sessionId ?? '');
    const client = this.app.client;
    const mark = message.delivery;
    let ref: MessageRef;
    let found: FoundDelivery | undefined;
    try {
      if (message.replaces) {
        ref = message.replaces;
        await client.chat.update({ channel: ref.channelId, ts: ref.messageId, text, blocks });
      } else {
        // An earlier attempt may have posted it (a crash, no answer): look before posting again.
        if (mark?.check) found = await this.lookUp(() => findDelivered(client, thread, mark));
        if (found?.ref) {
          ref = found.ref;
          this.logger.info('outbox row was already posted; not posting again', { id: mark?.id });
        } else {
          const posted = await client.chat.postMessage({
            channel: thread.channelId,
            ...(thread.threadId ? { thread_ts: thread.threadId } : {}),
            text,
            blocks,
            unfurl_links: false,
            unfurl_media: false,
            ...(mark ? { metadata: outboxMetadata(mark) } : {}),
          });
          ref = {
            platform: 'slack',
            channelId: String(posted.channel ?? thread.channelId),
            messageId: String(posted.ts),
          };
        }
      }
    } catch (error) {
      throw toAdapterError(error, message.replaces ? 'chat.update' : 'chat.postMessage');
    }
    // Files already shared after the found post were this row's: upload only the rest.
    const missing = found?.ref ? files.filter((f) => !found.files.has(f.name)) : files;
    if (missing.length > 0) {
      try {
        // A message to the channel itself (the review card) gets its files in its own thread.
        await client.files.uploadV2({
          channel_id: ref.channelId,
          thread_ts: thread.threadId || ref.messageId,
          file_uploads: missing.map((f) => ({ file: Buffer.from(f.bytes), filename: f.name })),
        });
      } catch (error) {
        throw toAdapterError(error, 'files.uploadV2');
      }
    }
    return ref;
  }

  /**
   * Runs the already-delivered lookup. A lookup Slack refuses for good (e.g. a missing scope) must
   * not lose the message: it is posted (at worst twice) rather than failed; transient errors retry.
   */
  private async lookUp(find: () => Promise<FoundDelivery>): Promise<FoundDelivery | undefined> {
    try {
      return await find();
    } catch (error) {
      const mapped = toAdapterError(error, 'conversations.replies');
      if (mapped.retryable) throw mapped;
      this.logger.warn('cannot check whether a message was already posted; posting it', {
        error: mapped.message,
      });
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const transport = this.options.transport;
    try {
      // Socket Mode: disconnect first, or a reconnect timer keeps the process alive for ~30 s.
      if (transport.kind === 'socket') await transport.receiver.client.disconnect();
      if (this.started) await this.app.stop();
    } catch (error) {
      this.logger.warn('slack stop failed', { error: (error as Error).message });
    }
  }

  /** Downloads at most `maxBytes` with the bot token; undefined when the file turns out larger. */
  private async download(url: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const authorization = `Bearer ${this.options.botToken}`;
    return downloadCapped(this.fetchImpl, url, maxBytes, { authorization }).catch((error: unknown) => {
      throw toAdapterError(error, 'download file');
    });
  }
}

/** Builds the adapter (the App and receiver come from the composition root). */
export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  return new SlackAdapter(options);
}
