/**
 * The team review card (posted to the channel on ship): FF2_REVIEW_POLICY decides whether the
 * requester's own "Approve" counts (`any`) or is kept as a comment (`others`, the default), and
 * after each approval the card is edited to say who approved.
 */
import type { HumanInput } from '../pipeline/gates.js';
import { channelKeyOf } from '../pipeline/thread-key.js';
import type { SessionRow, SessionStore } from '../store/types.js';
import { type ActionEvent, localUserId } from './types.js';

export type ReviewPolicy = 'any' | 'others';

/** The outbox key of the review card (set by the ship stage). */
export const REVIEW_CARD_KEY = 'review_card';

/** True when this approval must be recorded as a comment instead. */
export function isSelfApproval(policy: ReviewPolicy, session: SessionRow, actor: string): boolean {
  return policy === 'others' && actor === session.ownerId;
}

export const SELF_APPROVAL_NOTE =
  'Your approval of your own script is kept as a comment: a teammate needs to approve it (FF2_REVIEW_POLICY=others).';

/**
 * Queues an edit of the review card listing everyone who approved (no-op when the card was never
 * queued, e.g. pruned). Returns true when an edit was queued.
 */
export function showApprovals(store: SessionStore, session: SessionRow): boolean {
  const card = store.firstOutboxPayload(session.id, REVIEW_CARD_KEY) as
    | { text?: string; title?: string; buttons?: unknown; sessionId?: string }
    | undefined;
  if (!card?.text) return false;
  const approvers = [
    ...new Set(
      store
        .listReviews(session.id)
        .filter((r) => r.verdict === 'approved')
        .map((r) => localUserId(r.reviewer)),
    ),
  ];
  if (approvers.length === 0) return false;
  store.enqueue(session.id, [
    {
      threadKey: channelKeyOf(session.threadKey),
      key: REVIEW_CARD_KEY,
      payload: {
        text: `${card.text}\nApproved by: ${approvers.join(', ')}`,
        ...(card.title ? { title: card.title } : {}),
        ...(card.buttons ? { buttons: card.buttons } : {}),
        sessionId: session.id,
        replacesKey: REVIEW_CARD_KEY,
      },
    },
  ]);
  return true;
}

/**
 * A click on the review card: the approval (or request for changes) is recorded and the person
 * told so. Returns the input that reopens the session when changes were requested by someone who
 * may steer it (`mayReopen`), else undefined.
 */
export async function recordReview(
  config: {
    store: SessionStore;
    reviewPolicy?: ReviewPolicy | undefined;
    onCommitted?: (() => void) | undefined;
  },
  session: SessionRow,
  event: ActionEvent,
  actor: string,
  mayReopen: boolean,
): Promise<HumanInput | undefined> {
  const { store } = config;
  const say = async (text: string): Promise<undefined> => {
    await event.respond?.(text).catch(() => {});
    return undefined;
  };
  const verdict = event.action === 'review_approve' ? 'approved' : 'changes_requested';
  // The Slack/Discord modal's text: the review comment and, from an allowed reviewer, the change to apply.
  const comment = verdict === 'changes_requested' ? event.value?.trim() : undefined;
  if (verdict === 'approved' && isSelfApproval(config.reviewPolicy ?? 'others', session, actor)) {
    store.appendEvent(session.id, { type: 'comment', actor, data: { review: 'approve', own: true } });
    return say(SELF_APPROVAL_NOTE);
  }
  store.addReview({ sessionId: session.id, reviewer: actor, verdict, ...(comment ? { comment } : {}) });
  if (verdict === 'approved') {
    if (showApprovals(store, session)) config.onCommitted?.();
    return say('Thanks, your approval is recorded.');
  }
  if (!mayReopen)
    return say('Your review is recorded. Only the owner or an approver can reopen the session.');
  return { kind: 'action', action: 'review_changes', ...(comment ? { value: comment } : {}) };
}
