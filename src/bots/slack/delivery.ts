/**
 * At-most-once posting on Slack. Every post carries message metadata `ff2_outbox` with its outbox
 * row id; before re-sending a row that may already have gone out, ff2 reads the thread's replies
 * after the last message it knows it delivered (`conversations.replies`, with
 * `include_all_metadata`, at most MAX_PAGES pages) and looks for that id, and for files by name
 * shared after it. Slack has no idempotency key for posts, so this lookup is the guarantee.
 */
import type { App } from '@slack/bolt';
import type { DeliveryMark, MessageRef, ThreadRef } from '../types.js';

export const OUTBOX_EVENT_TYPE = 'ff2_outbox';
const PAGE = 200;
const MAX_PAGES = 5;

/** The metadata attached to a post of outbox row `mark.id`. */
export function outboxMetadata(mark: DeliveryMark) {
  return { event_type: OUTBOX_EVENT_TYPE, event_payload: { id: mark.id } };
}

export interface FoundDelivery {
  /** The post of this row, when it is already in the thread. */
  ref: MessageRef | undefined;
  /** Names of files shared in the thread since that post (this row's uploads). */
  files: Set<string>;
}

interface SlackMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { id?: unknown } };
  files?: { name?: string }[];
}

/** Looks for row `mark.id` among the thread's (or, for channel messages, the channel's) recent messages. */
export async function findDelivered(
  client: App['client'],
  thread: ThreadRef,
  mark: DeliveryMark,
): Promise<FoundDelivery> {
  const oldest = mark.after ?? (thread.threadId || undefined);
  const messages: SlackMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const common = {
      channel: thread.channelId,
      limit: PAGE,
      include_all_metadata: true,
      inclusive: true,
      ...(oldest ? { oldest } : {}),
      ...(cursor ? { cursor } : {}),
    };
    const res = thread.threadId
      ? await client.conversations.replies({ ...common, ts: thread.threadId })
      : await client.conversations.history(common);
    messages.push(...((res.messages ?? []) as SlackMessage[]));
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  const post = messages.find(
    (m) => m.metadata?.event_type === OUTBOX_EVENT_TYPE && String(m.metadata.event_payload?.id) === mark.id,
  );
  const files = new Set<string>();
  if (!post?.ts) return { ref: undefined, files };
  if (!thread.threadId) {
    // A channel message (the review card) gets its files in its own thread.
    const res = await client.conversations.replies({ channel: thread.channelId, ts: post.ts, limit: PAGE });
    messages.push(...((res.messages ?? []) as SlackMessage[]));
  }
  for (const m of messages) {
    if (m.ts && compareTs(m.ts, post.ts) >= 0) for (const f of m.files ?? []) if (f.name) files.add(f.name);
  }
  return { ref: { platform: 'slack', channelId: thread.channelId, messageId: post.ts }, files };
}

/** Orders two Slack timestamps (`seconds.micros`) exactly, without float rounding. */
export function compareTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  const sec = Number(as) - Number(bs);
  return sec !== 0 ? Math.sign(sec) : af.padEnd(6, '0').localeCompare(bf.padEnd(6, '0'));
}
