import {
  afterRepairsDraft,
  CANCEL,
  feedbackButtons,
  outlineDraft,
  questionDrafts,
  runApprovalDraft,
} from '../../pipeline/messages.js';
import { type Draft, parseState, type SessionState } from '../../pipeline/types.js';
import type { Outgoing } from '../types.js';

/**
 * What a waiting session asks, rebuilt from its stored state with the pipeline's own wording —
 * for `ff2 chat --resume`, where the gate's message was posted by an earlier process (or on
 * another platform). Shown locally only: nothing is queued or recorded.
 */
export function gateMessages(stage: string, rawState: unknown, sessionId: string): Outgoing[] {
  let state: SessionState;
  try {
    state = parseState(rawState);
  } catch {
    return [];
  }
  return drafts(stage, state).map((d) => toLocal(d, sessionId));
}

function drafts(stage: string, state: SessionState): Draft[] {
  switch (stage) {
    case 'answer_questions': {
      const open = state.questions.filter((_, i) => state.answers[String(i)] === undefined);
      return open.length > 0 ? questionDrafts(state.questions) : [];
    }
    case 'approve_outline':
      return state.outline ? [outlineDraft(state.outline, false)] : [];
    case 'approve_run':
      return [runApprovalDraft(state)];
    case 'give_feedback':
    case 'confirm_feedback':
      return [
        {
          title: 'Waiting for your feedback',
          text: state.lastRun
            ? `Last run: ${state.lastRun.ok ? 'passed' : `failed — ${state.lastRun.problem}`}. Ship it, run again, or reply with a change.`
            : 'Ship it, run again, or reply with a change.',
          buttons: feedbackButtons(),
        },
      ];
    case 'after_repairs':
      return [afterRepairsDraft(state, state.lastRun)];
    case 'budget_paused':
      return [
        {
          title: 'Budget reached',
          text: `Paused: ${state.paused?.reason ?? 'the budget is spent'}\nContinue (after raising the budget) or cancel.`,
          buttons: [[{ action: 'continue', label: 'Continue', style: 'primary' }, CANCEL]],
        },
      ];
    case 'retry_paused':
      return [
        {
          title: 'Stopped — needs a retry',
          text: `Stopped: ${state.paused?.reason ?? 'unknown reason'}. Nothing was lost; Retry asks again.`,
          buttons: [[{ action: 'retry', label: 'Retry', style: 'primary' }, CANCEL]],
        },
      ];
    default:
      return [];
  }
}

function toLocal(draft: Draft, sessionId: string): Outgoing {
  const out: Outgoing = { text: draft.text, sessionId };
  if (draft.title) out.title = draft.title;
  if (draft.buttons) out.buttons = draft.buttons;
  const files = (draft.files ?? []).map((f) => ({
    name: f.name,
    bytes: f.bytes ?? new TextEncoder().encode(f.text ?? ''),
  }));
  if (files.length > 0) out.files = files;
  return out;
}
