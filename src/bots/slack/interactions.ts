/**
 * Slack interactions → action events: a button click (or the modal it opens for a text answer)
 * and a modal submission. Acked by the listener first; the router decides what the click may do.
 */
import type { BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { ThreadRef } from '../types.js';
import { decodeActionId } from './action-id.js';
import type { InboundContext } from './inbound.js';
import { modalFor, readModal } from './modal.js';
import { placeOf, postEphemeral } from './reply.js';

export async function onAction(
  ctx: InboundContext,
  body: BlockAction<ButtonAction>,
  action: ButtonAction,
  respond: (text: string) => Promise<void>,
): Promise<void> {
  const decoded = decodeActionId(action.action_id);
  const message = body.message;
  const channel = body.channel?.id ?? body.container?.channel_id;
  if (!decoded || !message || !channel) return;
  const thread = threadOfMessage(channel, message.ts, message.thread_ts as string | undefined);
  const view = modalFor(decoded.sessionId, decoded.action, {
    channel,
    thread: thread.threadId,
    message: message.ts,
    ...(action.value ? { value: action.value } : {}),
  });
  if (view) {
    await ctx.app.client.views.open({ trigger_id: body.trigger_id, view });
    return;
  }
  await ctx.emit({
    kind: 'action',
    // One click = one (message, action_ts) pair; Slack repeats both on a redelivery.
    id: `${message.ts}:${action.action_ts}`,
    thread,
    user: { id: body.user.id, name: body.user.username ?? body.user.name },
    sessionId: decoded.sessionId,
    action: decoded.action,
    ...(action.value !== undefined ? { value: action.value } : {}),
    message: { platform: 'slack', channelId: channel, messageId: message.ts },
    respond,
    place: placeOf(body),
  });
}

export async function onModalSubmit(
  ctx: InboundContext,
  body: ViewSubmitAction,
  view: ViewSubmitAction['view'],
): Promise<void> {
  const submitted = readModal(view);
  if (!submitted) return;
  const { origin, text } = submitted;
  await ctx.emit({
    kind: 'action',
    id: `view:${view.id}`,
    thread: { platform: 'slack', channelId: origin.channel, threadId: origin.thread },
    user: { id: body.user.id, name: body.user.name },
    sessionId: submitted.sessionId,
    action: submitted.action,
    value: text,
    message: { platform: 'slack', channelId: origin.channel, messageId: origin.message },
    respond: postEphemeral(ctx, origin.channel, body.user.id, origin.thread || undefined),
    place: placeOf(body),
  });
}

/** A reply in a thread has thread_ts ≠ ts; a top-level message (e.g. the review card) addresses the channel (''). */
function threadOfMessage(channel: string, ts: string, threadTs: string | undefined): ThreadRef {
  return { platform: 'slack', channelId: channel, threadId: threadTs && threadTs !== ts ? threadTs : '' };
}
