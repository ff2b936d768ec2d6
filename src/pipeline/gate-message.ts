/**
 * What a waiting session asks, rebuilt from its stored state with the pipeline's own wording
 * (`ff2 chat --resume` shows it again: the gate's message was posted by an earlier process, or on
 * another platform). Pure: stage + state in, drafts out; [] for a stage that asks nothing.
 */
import {
  afterRepairsDraft,
  budgetPausedDraft,
  feedbackWaitDraft,
  outlineDraft,
  questionDrafts,
  retryPausedDraft,
  runApprovalDraft,
  shipOrChangeDraft,
} from './messages.js';
import { type Draft, parseState, type SessionState, type StageName } from './types.js';

/** The current gate's message(s); [] when the stage asks nothing or the state cannot be read. */
export function currentGateDrafts(stage: StageName | string, rawState: unknown): Draft[] {
  let state: SessionState;
  try {
    state = parseState(rawState);
  } catch {
    return [];
  }
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
      return [feedbackWaitDraft(state.lastRun)];
    case 'confirm_feedback':
      // The question the gate asked about the person's last reply (its own buttons).
      return [shipOrChangeDraft(state.feedback)];
    case 'after_repairs':
      return [afterRepairsDraft(state, state.lastRun)];
    case 'budget_paused':
      return [budgetPausedDraft(state.paused?.reason)];
    case 'retry_paused':
      return [retryPausedDraft(state.paused?.reason)];
    default:
      return [];
  }
}
