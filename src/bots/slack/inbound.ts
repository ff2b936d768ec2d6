/**
 * Bolt listeners → ChatEvents. Every listener acks first (Slack wants an answer within 3 s and
 * ff2 aims for milliseconds), then normalises the payload and hands it to the router. Nothing
 * here decides who may steer or whether an event is a repeat: the router does.
 */
import type {
  App,
  BlockAction,
  ButtonAction,
  SlackCommandMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { EventPlace } from '../access.js';
import type { ChatEvent, ChatUser, StartScript, ThreadRef } from '../types.js';
import { ACTION_ID_PATTERN } from './action-id.js';
import { parseCommandText, stripMention, unescapeSlackText } from './command.js';
import { toAdapterError } from './errors.js';
import { escapeText, mentionUser } from './format.js';
import { onAction, onModalSubmit } from './interactions.js';
import { ephemeral, placeOf, postEphemeral } from './reply.js';

export const COMMAND = '/ff2';

export interface InboundContext {
  app: App;
  logger: Logger;
  emit: (event: ChatEvent) => Promise<void>;
  /** Downloads a private file with the bot token; undefined when it is larger than `maxBytes`. */
  download: (url: string, maxBytes: number) => Promise<Uint8Array | undefined>;
  /** The bot's own user id (from auth.test), to strip its mention. */
  botUserId: string | undefined;
  /** Registers an inbound translation in flight (so the adapter can wait for them). */
  track: (work: Promise<void>) => Promise<void>;
  /** Runs work after the ack on a later event-loop turn, one task per turn (see EmitLane). */
  defer: (work: () => Promise<void>) => Promise<void>;
}

interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  size?: number;
  mode?: string;
  url_private_download?: string;
  url_private?: string;
}
interface SlackMessageEvent {
  subtype?: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  files?: SlackFile[];
}

export function registerListeners(ctx: InboundContext): void {
  const { app } = ctx;
  app.command(COMMAND, async (args) => {
    await args.ack();
    await guard(ctx, 'command', () => onCommand(ctx, args));
  });
  app.event('app_mention', async ({ event, body }) => {
    const e = event as unknown as SlackMessageEvent;
    await guard(ctx, 'app_mention', () => onMention(ctx, e, eventId(body, e), placeOf(body)));
  });
  app.event('message', async ({ event, body }) => {
    const e = event as unknown as SlackMessageEvent;
    await guard(ctx, 'message', () => onMessage(ctx, e, eventId(body, e), placeOf(body)));
  });
  app.action<BlockAction<ButtonAction>>(ACTION_ID_PATTERN, async ({ ack, body, action, respond }) => {
    await ack();
    await guard(ctx, 'action', () => onAction(ctx, body, action, (text) => ephemeral(respond, text)));
  });
  app.view<ViewSubmitAction>(ACTION_ID_PATTERN, async ({ ack, body, view }) => {
    await ack();
    await guard(ctx, 'view', () => onModalSubmit(ctx, body, view));
  });
}

async function onCommand(
  ctx: InboundContext,
  { command, respond, client }: SlackCommandMiddlewareArgs & { client: App['client'] },
): Promise<void> {
  const parsed = parseCommandText(unescapeSlackText(command.text ?? ''));
  const user: ChatUser = { id: command.user_id, name: command.user_name };
  const answer = (text: string) => ephemeral(respond, text);
  if (parsed.kind === 'command') {
    const thread: ThreadRef = { platform: 'slack', channelId: command.channel_id, threadId: '' };
    await ctx.emit({
      kind: 'command',
      id: command.trigger_id,
      thread,
      user,
      command: parsed.command,
      args: parsed.args,
      respond: answer,
      place: placeOf(command),
    });
    return;
  }
  // The root message is posted only once the router has admitted the request (access, quotas).
  const openThread = async (): Promise<string | undefined> => {
    try {
      return await postRoot(
        client,
        command.channel_id,
        `${mentionUser(command.user_id)} started: ${escapeText(parsed.goal)}`,
      );
    } catch (error) {
      const mapped = toAdapterError(error, 'post root message');
      ctx.logger.warn('slack root message failed', { error: mapped.message });
      await answer(
        /not_in_channel|channel_not_found/.test(mapped.message)
          ? 'ff2 is not in this channel yet: invite it with /invite @ff2, then try again.'
          : 'ff2 could not open a thread here; please try again in a moment.',
      );
      return undefined;
    }
  };
  await ctx.emit({
    kind: 'start',
    id: command.trigger_id,
    thread: { platform: 'slack', channelId: command.channel_id, threadId: '' },
    user,
    goal: parsed.goal,
    respond: answer,
    openThread,
    place: placeOf(command),
  });
}

/** Longest wait for a rate-limited root message before giving up on it, in ms. */
const ROOT_RETRY_MAX_WAIT_MS = 30_000;

/**
 * Posts the session's root message. It is not in the outbox (the session does not exist before
 * the thread does), so a retryable failure (429 after Retry-After, 5xx) is tried once more here.
 */
async function postRoot(client: App['client'], channel: string, text: string): Promise<string> {
  const post = async () => {
    const root = await client.chat.postMessage({ channel, text, unfurl_links: false, unfurl_media: false });
    return String(root.ts);
  };
  try {
    return await post();
  } catch (error) {
    const mapped = toAdapterError(error, 'post root message');
    if (!mapped.retryable || (mapped.retryAfterMs ?? 0) > ROOT_RETRY_MAX_WAIT_MS) throw mapped;
    await new Promise((resolve) => setTimeout(resolve, mapped.retryAfterMs ?? 1000));
    return post();
  }
}

/** A top-level mention starts a session in the mention's own thread; mentions inside threads are plain replies. */
async function onMention(
  ctx: InboundContext,
  event: SlackMessageEvent,
  id: string,
  place: EventPlace,
): Promise<void> {
  if (event.thread_ts || !event.user || event.bot_id) return;
  const parsed = parseCommandText(unescapeSlackText(stripMention(event.text ?? '', ctx.botUserId)));
  const thread: ThreadRef = { platform: 'slack', channelId: event.channel, threadId: event.ts };
  const user: ChatUser = { id: event.user };
  const respond = postEphemeral(ctx, event.channel, event.user, event.ts);
  if (parsed.kind === 'command') {
    await ctx.emit({
      kind: 'command',
      id,
      thread: { ...thread, threadId: '' },
      user,
      command: parsed.command,
      args: parsed.args,
      respond,
      place,
    });
    return;
  }
  const script = mentionScript(ctx, event);
  await ctx.emit({
    kind: 'start',
    id,
    thread,
    user,
    goal: parsed.goal,
    respond,
    place,
    ...(script ? { script } : {}),
  });
}

/**
 * A .py attached to the mention that starts a session: the person's own script, announced (the
 * router downloads it once the sender passed the access lists and quotas); undefined when none.
 */
function mentionScript(ctx: InboundContext, event: SlackMessageEvent): StartScript | undefined {
  const file = event.files?.find((f) => (f.name ?? '').toLowerCase().endsWith('.py'));
  const url = file?.url_private_download ?? file?.url_private;
  if (!file || !url) return undefined;
  return {
    name: file.name ?? 'script.py',
    size: file.size ?? 0,
    download: (maxBytes) => ctx.download(url, maxBytes),
  };
}

const THREAD_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

/** A person's reply in a thread: text → message event; attached files → file events. */
async function onMessage(
  ctx: InboundContext,
  event: SlackMessageEvent,
  id: string,
  place: EventPlace,
): Promise<void> {
  if (!THREAD_SUBTYPES.has(event.subtype) || event.bot_id || !event.user) return;
  if (!event.thread_ts || event.thread_ts === event.ts) return;
  const thread: ThreadRef = { platform: 'slack', channelId: event.channel, threadId: event.thread_ts };
  const user: ChatUser = { id: event.user };
  const respond = postEphemeral(ctx, event.channel, event.user, event.thread_ts);
  const text = unescapeSlackText(event.text ?? '');
  let textSent = false;
  // Files are announced, not downloaded: the router checks the session and the sender first.
  const files = (event.files ?? []).filter(
    (f) =>
      (f.url_private_download ?? f.url_private) && f.mode !== 'tombstone' && f.mode !== 'hidden_by_limit',
  );
  for (const [index, file] of files.entries()) {
    const url = (file.url_private_download ?? file.url_private)!;
    await ctx.emit({
      kind: 'file',
      id: `${id}:${index}`,
      thread,
      user,
      name: file.name ?? file.title ?? `file-${index + 1}`,
      size: file.size ?? 0,
      download: (maxBytes) => ctx.download(url, maxBytes),
      index,
      filesInMessage: files.length,
      respond,
      place,
      ...(!textSent && text.trim() ? { text } : {}),
    });
    textSent = true;
  }
  if (!textSent && text.trim()) await ctx.emit({ kind: 'message', id, thread, user, text, respond, place });
}

/** Slack's event_id; for a payload without one (never seen), the message's own channel + ts. */
function eventId(body: unknown, event: { channel?: string; ts?: string }): string {
  const id = (body as { event_id?: unknown }).event_id;
  return typeof id === 'string' ? id : `message:${event.channel}:${event.ts}`;
}

/**
 * Runs one translation after the ack, deferred so a burst of requests is acked before any of
 * them does Web API or database work; failures are logged, never thrown back into Bolt.
 */
async function guard(ctx: InboundContext, what: string, run: () => Promise<void>): Promise<void> {
  await ctx.track(
    ctx.defer(run).catch((error: unknown) => {
      ctx.logger.error('slack inbound failed', { what, error: toAdapterError(error, what).message });
    }),
  );
}
