/** How a stage that threw (model error, budget, refused answer) becomes a pause with a way forward. */
import { isLlmError } from '../llm/types.js';
import { InvalidAnswerError } from './answers.js';
import { STAGE_LABELS } from './machine.js';
import { budgetPauseDraft, retryPauseDraft } from './messages.js';
import type { SessionState, StageOutcome, WorkingStage } from './types.js';

/** A stage that threw: pause and ask (Continue on budget, Retry otherwise), never a dead end. */
export function pauseOutcome(
  stage: WorkingStage,
  state: SessionState,
  error: unknown,
  /** Reference id logged with an internal error's detail; the thread only sees the id. */
  ref: string,
): StageOutcome {
  const label = STAGE_LABELS[stage].toLowerCase();
  if (isLlmError(error) && error.kind === 'budget_exceeded') {
    return {
      result: 'pause_budget',
      state: { ...state, paused: { stage, reason: error.userMessage } },
      messages: [budgetPauseDraft(label, error.userMessage)],
    };
  }
  const why = isLlmError(error)
    ? error.kind === 'invalid_output'
      ? 'the model gave an unusable answer twice'
      : error.userMessage
    : error instanceof InvalidAnswerError
      ? error.message
      : `an internal error (ref ${ref})`;
  return {
    result: 'pause_invalid',
    state: { ...state, paused: { stage, reason: why } },
    messages: [retryPauseDraft(label, why)],
    events: [{ type: 'stage_error', data: { stage, error: why } }],
  };
}
