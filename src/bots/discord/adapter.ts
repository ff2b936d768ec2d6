/**
 * The Discord front door: `/ff2 goal:<text>` opens a public thread where the session lives.
 * Translates only — the router decides who may steer, dedupes and orders.
 */
import { type Client, Events, type Guild, type Interaction, type Message, Routes } from 'discord.js';
import type { Logger } from '../../logger.js';
import { downloadCapped } from '../download.js';
import type { ChatAdapter, ChatEvent, MessageRef, Outgoing, ThreadRef } from '../types.js';
import { findDelivered, nonceFields } from './delivery.js';
import { toAdapterError } from './errors.js';
import { formatMessage } from './format.js';
import { handleInteraction, handleMessage, type InboundContext } from './inbound.js';

export interface DiscordAdapterOptions {
  /**
   * A discord.js client built by the composition root (intents Guilds, GuildMessages,
   * MessageContent), not yet logged in.
   */
  client: Client;
  token: string;
  logger: Logger;
  /** Downloads attachments from Discord's CDN; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** How long `start()` waits for the gateway READY, in ms. Default 30,000. */
  readyTimeoutMs?: number;
  /** FF2_ALLOWED_GUILDS: false for a guild the bot must leave (at start and when added to one). */
  keepGuild?: (guildId: string) => boolean;
  /** Outbox spacing per channel once the burst is used (Discord: 5 messages per 5 s). Default 1,000 ms. */
  perChannelIntervalMs?: number;
  /**
   * Posts one thread may take back to back; the last one is kept for direct answers (see
   * ChannelPacer). Default 2: with one per second after it, a thread may briefly reach 6 in 5 s,
   * and discord.js holds anything past Discord's own bucket until its reset.
   */
  perChannelBurst?: number;
  /** REST requests in flight at once from the outbox. Default 10. */
  maxInFlight?: number;
  /** REST requests per second from the outbox in all (Discord allows a bot 50). Default 30. */
  maxPerSecond?: number;
}

export class DiscordAdapter implements ChatAdapter {
  readonly platform = 'discord' as const;
  /** Each thread is a Discord channel with its own rate-limit bucket. */
  readonly paceBy = 'thread' as const;
  readonly perChannelIntervalMs: number;
  readonly perChannelBurst: number;
  readonly maxInFlight: number;
  readonly maxPerSecond: number;
  private readonly client: Client;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;
  private started = false;
  private stopped = false;
  private readonly onInteraction = (interaction: Interaction) =>
    void this.guard(interaction.id, (ctx) => handleInteraction(ctx, interaction));
  private readonly onMessage = (message: Message) =>
    void this.guard(message.id, (ctx) => handleMessage(ctx, message));
  private readonly onGuild = (guild: Guild) => void this.leaveIfNotAllowed(guild);
  private context: InboundContext | undefined;

  constructor(private readonly options: DiscordAdapterOptions) {
    this.client = options.client;
    this.logger = options.logger.child('discord');
    this.fetchImpl = options.fetch ?? fetch;
    this.perChannelIntervalMs = options.perChannelIntervalMs ?? 1000;
    this.perChannelBurst = options.perChannelBurst ?? 2;
    this.maxInFlight = options.maxInFlight ?? 10;
    this.maxPerSecond = options.maxPerSecond ?? 30;
  }

  async start(onEvent: (event: ChatEvent) => Promise<void>): Promise<void> {
    if (this.started) throw new Error('DiscordAdapter.start called twice');
    this.started = true;
    this.context = {
      client: this.client,
      logger: this.logger,
      emit: onEvent,
      download: (url, max) => this.download(url, max),
    };
    this.client.on(Events.InteractionCreate, this.onInteraction);
    this.client.on(Events.MessageCreate, this.onMessage);
    this.client.on(Events.GuildCreate, this.onGuild);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(toAdapterError(new Error('no READY from the Discord gateway'), 'start')),
        this.options.readyTimeoutMs ?? 30_000,
      );
      this.client.once(Events.ClientReady, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    try {
      await this.client.login(this.options.token);
      await ready;
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, 'start');
    }
    for (const guild of this.client.guilds.cache.values()) await this.leaveIfNotAllowed(guild);
    this.logger.info('discord connected', { user: this.client.user?.id });
  }

  /** Leaves a guild that is not in FF2_ALLOWED_GUILDS (so nobody there can spend the budget). */
  private async leaveIfNotAllowed(guild: Guild): Promise<void> {
    if (!this.options.keepGuild || this.options.keepGuild(guild.id)) return;
    try {
      await guild.leave();
      this.logger.warn('left a guild that is not in FF2_ALLOWED_GUILDS', { guild: guild.id });
    } catch (error) {
      this.logger.error('could not leave a guild outside FF2_ALLOWED_GUILDS', {
        guild: guild.id,
        error: toAdapterError(error, 'leave guild').message,
      });
    }
  }

  async send(thread: ThreadRef, message: Outgoing): Promise<MessageRef> {
    const replaces = message.replaces;
    const { body, files, dropped } = formatMessage(message, message.sessionId ?? '', Boolean(replaces));
    if (dropped.length > 0) this.logger.warn('message cut to fit Discord limits', { dropped });
    try {
      if (replaces) {
        await this.client.rest.patch(Routes.channelMessage(replaces.channelId, replaces.messageId), {
          body,
          ...(files.length > 0 ? { files } : {}),
        });
        return replaces;
      }
      const channelId = thread.threadId || thread.channelId;
      const mark = message.delivery;
      // An earlier attempt may have posted it (a crash, no answer): look before posting again.
      if (mark?.check) {
        const names = files.map((f) => f.name);
        const found = await findDelivered(this.client, channelId, mark, body, names).catch(
          (error: unknown) => {
            // A lookup Discord refuses for good must not lose the message (the nonce still guards it).
            const mapped = toAdapterError(error, 'read thread messages');
            if (mapped.retryable) throw mapped;
            this.logger.warn('cannot check whether a message was already posted; posting it', {
              error: mapped.message,
            });
            return undefined;
          },
        );
        if (found) {
          this.logger.info('outbox row was already posted; not posting again', { id: mark.id });
          return found;
        }
      }
      const sent = (await this.client.rest.post(Routes.channelMessages(channelId), {
        body: { ...body, ...nonceFields(mark) },
        ...(files.length > 0 ? { files } : {}),
      })) as { id: string };
      return { platform: 'discord', channelId, messageId: sent.id };
    } catch (error) {
      throw toAdapterError(error, replaces ? 'edit message' : 'post message');
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.client.off(Events.InteractionCreate, this.onInteraction);
    this.client.off(Events.MessageCreate, this.onMessage);
    this.client.off(Events.GuildCreate, this.onGuild);
    await this.client.destroy();
  }

  /** Runs one inbound handler; failures are logged, never thrown into discord.js's emitter. */
  private async guard(id: string, run: (ctx: InboundContext) => Promise<void>): Promise<void> {
    const ctx = this.context;
    if (!ctx || this.stopped) return;
    try {
      await run(ctx);
    } catch (error) {
      this.logger.error('discord event failed', { id, error: toAdapterError(error, 'event').message });
    }
  }

  /** Downloads at most `maxBytes`; undefined when the file turns out larger. */
  private async download(url: string, maxBytes: number): Promise<Uint8Array | undefined> {
    return downloadCapped(this.fetchImpl, url, maxBytes).catch((error: unknown) => {
      throw toAdapterError(error, 'download attachment');
    });
  }
}
