/**
 * The chat edge's contracts. Adapters (Slack, Discord, terminal, the in-memory test adapter)
 * translate platform traffic into ChatEvents and deliver Outgoing messages; they never decide
 * anything. Authorisation, dedupe, ordering and session lookup live in `router.ts`.
 */

import { decodeThreadKey as decodeKey } from '../pipeline/thread-key.js';
import type { DraftButton } from '../pipeline/types.js';
import type { EventPlace } from './access.js';

export type Platform = 'slack' | 'discord' | 'terminal';

/** Where a session lives. Encoded as the opaque key `platform:channelId:threadId`. */
export interface ThreadRef {
  platform: Platform;
  /** Slack channel id, Discord parent channel id, terminal "local". */
  channelId: string;
  /**
   * Slack root message ts, Discord thread channel id, terminal session id.
   * The empty string addresses the channel itself (the team review card).
   */
  threadId: string;
}

/** A person on a platform. `id` is platform-local (Slack `U123`, Discord snowflake). */
export interface ChatUser {
  id: string;
  /** Display name when the platform gives one; for messages only, never for decisions. */
  name?: string;
}

/** A message the adapter has delivered, so it can be edited later. */
export interface MessageRef {
  platform: Platform;
  channelId: string;
  /** Slack ts, Discord message id, terminal sequence number. */
  messageId: string;
}

interface EventBase {
  /**
   * The platform's unique id for this delivery (Slack event_id / trigger_id / action ts, Discord
   * interaction or message id). The router drops a second event with the same id.
   */
  id: string;
  thread: ThreadRef;
  user: ChatUser;
  /**
   * Answers only the person who caused the event (Slack ephemeral, Discord ephemeral follow-up,
   * terminal line). Absent where the platform has no such channel.
   */
  respond?: (text: string) => Promise<void>;
  /** Workspace / Enterprise (Slack) or guild (Discord) the event came from, for access lists. */
  place?: EventPlace;
}

/** A script attached to a start request: its bytes, or how to download them (capped at `maxBytes`; undefined when larger). */
export interface StartScript {
  name: string;
  /** Size the platform announced, in bytes (0 or absent when unknown; `download` still enforces the cap). */
  size?: number;
  bytes?: Uint8Array;
  download?: (maxBytes: number) => Promise<Uint8Array | undefined>;
}
/** A person asked for a new session with a goal. The adapter has already created the thread. */
export interface StartEvent extends EventBase {
  kind: 'start';
  goal: string;
  /**
   * Opens the session's thread (Slack root message, Discord thread) once the router has admitted
   * the request; resolves with the thread id, or undefined when it could not (the adapter has told
   * the person). Absent when `thread` already names the thread (mentions, terminal).
   */
  openThread?: () => Promise<string | undefined>;
  /** A template to start from (Discord's `template` option; Slack reads `from:<name>` in the goal). */
  template?: string;
  /**
   * The person's own script to start from. Chat adapters announce it (name, size, `download`); the
   * router downloads it only after the sender passed the access lists and the quotas. The terminal
   * passes `bytes` (a local file, already read).
   */
  script?: StartScript;
}
/** A free-text reply in a session's thread. */
export interface MessageEvent extends EventBase {
  kind: 'message';
  text: string;
}
/** A button click. `action` is the Button.action, `sessionId` comes from the encoded id. */
export interface ActionEvent extends EventBase {
  kind: 'action';
  sessionId: string;
  action: string;
  value?: string;
  /** The message that carried the button (to detect stale clicks). */
  message?: MessageRef;
}
/**
 * A file attached in a session's thread. Chat adapters do NOT download it: the router first checks
 * the session, the sender's right to steer, the name and the caps, then calls `download`.
 */
export interface FileEvent extends EventBase {
  kind: 'file';
  name: string;
  /** Size the platform announced, in bytes (0 when unknown; `download` still enforces the cap). */
  size?: number;
  /** The bytes, when the adapter already has them (terminal, tests). */
  bytes?: Uint8Array;
  /** Fetches at most `maxBytes`; undefined when the file turns out larger. @throws AdapterError */
  download?: (maxBytes: number) => Promise<Uint8Array | undefined>;
  /** 0-based position among the files of the person's message, and how many it had. */
  index?: number;
  filesInMessage?: number;
  /** Text typed with the file, if any. */
  text?: string;
}
/** A list/help/cancel style command that needs no thread (answered through `respond`). */
export interface CommandEvent extends EventBase {
  kind: 'command';
  command: 'help' | 'list' | 'cancel' | 'templates';
  args: string;
}

export type ChatEvent = StartEvent | MessageEvent | ActionEvent | FileEvent | CommandEvent;

/**
 * A button as the pipeline states it (`action`: the pipeline action, encoded with the session id
 * by the adapter; `value`: extra data returned with the click). One shape for both layers; the
 * chat edge carries any action string (the pipeline's vocabulary is checked where it is decided).
 */
export type Button = Omit<DraftButton, 'action'> & { action: string };

export interface OutFile {
  name: string;
  bytes: Uint8Array;
  /** MIME type; guessed from the name when absent. */
  mime?: string;
}

/** One message to post. Text is plain text (Markdown-ish); adapters escape and format it. */
export interface Outgoing {
  text: string;
  /** Rows of buttons; adapters enforce their platform limits (Discord 5×5). */
  buttons?: Button[][];
  files?: OutFile[];
  /** Edit this earlier message instead of posting a new one (status messages, finished buttons). */
  replaces?: MessageRef;
  /** Short title for the message (rendered as a heading / used in notifications). */
  title?: string;
  /**
   * The session this message belongs to; adapters encode it with each button's action so a click
   * names its session (ActionEvent.sessionId). Set by whoever queues the message (outbox row's session).
   */
  sessionId?: string;
  /** Set by the outbox: which row this is, for at-most-once delivery across crashes. */
  delivery?: DeliveryMark;
}

/**
 * Identifies one outbox row on the wire. Adapters attach `id` to new posts (Slack message
 * metadata `ff2_outbox`, Discord nonce with enforce_nonce) and, when `check` is set, look for a
 * post carrying it (and for uploads by file name) before sending again.
 */
export interface DeliveryMark {
  /** The outbox row id, as a string. */
  id: string;
  /** When the row was queued (epoch ms): no copy of it can be older. */
  since: number;
  /** An earlier attempt may have reached the platform: look before posting. */
  check: boolean;
  /**
   * With `check`: the platform id (Slack ts, Discord message id) of the thread's last message
   * delivered before this row, so the adapter need only look at what came after it.
   */
  after?: string;
}

export interface ChatAdapter {
  readonly platform: Platform;
  /**
   * Minimum pause between two posts in the same channel (Slack ~1 s); the outbox paces per
   * channel so one busy channel never stalls others. 0 or absent: no pacing.
   */
  readonly perChannelIntervalMs?: number;
  /**
   * What the spacing applies to: `channel` (Slack: a channel's threads share its limit) or
   * `thread` (Discord: a thread is a channel with its own rate limits). Default `channel`.
   */
  readonly paceBy?: 'channel' | 'thread';
  /** Posts a channel may take back to back before the interval applies (token bucket). Default 1. */
  readonly perChannelBurst?: number;
  /** Requests to the platform in flight at once, over all channels. Default 10. */
  readonly maxInFlight?: number;
  /**
   * Outbox requests per second to the platform over all channels (a bot-wide limit such as
   * Discord's 50/s, less room for what does not go through the outbox). Absent or 0: none.
   */
  readonly maxPerSecond?: number;
  /** Outbox edits per minute over all channels (Slack's chat.update tier). Absent or 0: none. */
  readonly editsPerMinute?: number;
  /** Connects and starts delivering events; resolves once ready. */
  start(onEvent: (event: ChatEvent) => Promise<void>): Promise<void>;
  /**
   * Posts (or, with `replaces`, edits) a message.
   * @throws AdapterError with `retryable`/`retryAfterMs` for 429 and 5xx; non-retryable otherwise.
   */
  send(thread: ThreadRef, message: Outgoing): Promise<MessageRef>;
  /** Stops taking events and closes connections. Idempotent. */
  stop(): Promise<void>;
}

/** The opaque, stable key of a thread: `platform:channelId:threadId` (pipeline/thread-key.ts). */
export { encodeThreadKey } from '../pipeline/thread-key.js';

/** Inverse of encodeThreadKey. */
export function decodeThreadKey(key: string): ThreadRef {
  return decodeKey<Platform>(key);
}

/** The qualified id used for ownership and FF2_APPROVERS: `slack:U123`. */
export function qualifiedUserId(platform: Platform, user: ChatUser): string {
  return `${platform}:${user.id}`;
}

/** The platform-local id inside a qualified id (`slack:U123` → `U123`). */
export function localUserId(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}
