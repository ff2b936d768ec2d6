/**
 * What a person's reply, click or file does at each waiting point. Pure: stage + state + input in,
 * either an advance (committed by the runner) or a reply only that person sees (stale buttons,
 * busy stages), out. Cancel works everywhere.
 */
import { fileRef } from './context.js';
import { classifyFeedback } from './feedback.js';
import {
  advance,
  type GateInput,
  type GateOptions,
  type GateOutcome,
  type HumanInput,
  isCancelInput,
  STALE,
  stay,
  toGateInput,
} from './gate-outcome.js';
import { acceptInput, EDITABLE, onFile, onPendingFile } from './gates-files.js';
import { onStuck, runWithInput } from './gates-stuck.js';
import { pendingGoalInput, scriptFileAtGate } from './hand-edit.js';
import {
  budgetGranted,
  budgetLimit,
  CANCEL,
  changesRequested,
  REPLIES,
  SAY,
  shipOrChangeDraft,
  stillOpen,
} from './messages.js';
import { packageGate } from './packages.js';
import { isWorkingStage, type SessionState, type StageName } from './types.js';

export type { GateOptions, GateOutcome, HumanInput } from './gate-outcome.js';
export { advance, isCancelInput, STALE } from './gate-outcome.js';

export function handleInput(
  stage: StageName,
  state: SessionState,
  raw: HumanInput,
  options: GateOptions,
): GateOutcome {
  if (stage === 'cancelled' || stage === 'failed') return { kind: 'reply', text: REPLIES.ended };
  // An action ff2 never posts is as stale as an old button.
  const input = toGateInput(raw);
  if (!input) return { kind: 'reply', text: STALE };
  if (isCancelInput(input)) {
    if (stage === 'shipped') return { kind: 'reply', text: REPLIES.shipped };
    return {
      kind: 'advance',
      result: 'cancel',
      state: { ...state, note: `cancelled by ${options.actor} during ${stage}` },
      messages: [{ text: SAY.cancelled }],
    };
  }
  // A .py at a gate may be the person's own script or a hand edit (hand-edit.ts).
  if (input.kind === 'file' && !isWorkingStage(stage)) {
    const script = scriptFileAtGate(stage, state, input, options);
    if (script) return script;
  }
  // A file is welcome at any live point (with the goal, in the interview, at the outline…).
  if (
    input.kind === 'file' &&
    (isWorkingStage(stage) || !input.name.endsWith('.py') || !EDITABLE.includes(stage))
  )
    return acceptInput(stage, state, input.name, fileRef(input.blobId), options.files);
  if (isWorkingStage(stage)) {
    return input.kind === 'action'
      ? { kind: 'reply', text: STALE }
      : { kind: 'reply', text: REPLIES.working };
  }
  if (input.kind === 'file') return onFile(stage, state, input, options.files);
  if (input.kind === 'action' && (input.action === 'file_as_script' || input.action === 'file_as_input')) {
    return onPendingFile(stage, state, input.action, options) ?? { kind: 'reply', text: STALE };
  }
  switch (stage) {
    case 'answer_questions':
      return onAnswers(state, input);
    case 'approve_outline': {
      const packages = packageGate(state, input, options);
      if (packages) return packages;
      const pending = pendingGoalInput(state, input, options.goal ?? '');
      if (pending) return pending;
      if (input.kind === 'action' && input.action === 'approve')
        return advance('approved', { ...state, genIndex: 0, genUnits: [], code: '' }, SAY.outlineApproved);
      if (input.kind === 'action' && input.action === 'edit')
        return { kind: 'reply', text: REPLIES.editOutline };
      if (input.kind === 'message') return advance('edit', { ...state, feedback: input.text });
      return { kind: 'reply', text: STALE };
    }
    case 'approve_run':
      if (input.kind === 'action' && input.action === 'run') return advance('run', { ...state, repairs: 0 });
      if (input.kind === 'action' && input.action === 'run_with_input') {
        return stay({ ...state, awaitingInput: true }, { text: SAY.runInputHow });
      }
      if (input.kind === 'message') {
        if (state.awaitingInput) return runWithInput(state, input.text);
        return advance('change', { ...state, feedback: input.text });
      }
      return { kind: 'reply', text: STALE };
    case 'give_feedback':
    case 'confirm_feedback':
      return onFeedback(stage, state, input);
    case 'after_repairs':
    case 'check_or_script':
      return onStuck(stage, state, input, options);
    case 'budget_paused':
      if (input.kind === 'action' && input.action === 'continue') {
        const refusal = budgetRefusal(state, options);
        if (refusal) return { kind: 'reply', text: refusal };
        return advance(
          'resume',
          { ...state, paused: null, budgetScale: state.budgetScale + 1 },
          budgetGranted(options.actor),
        );
      }
      return { kind: 'reply', text: REPLIES.budgetPaused };
    case 'retry_paused':
      if (input.kind === 'action' && input.action === 'retry')
        return advance('resume', { ...state, paused: null, attempt: state.attempt + 1 }, SAY.retrying);
      return { kind: 'reply', text: REPLIES.retryPaused };
    case 'shipped':
      if (input.kind === 'action' && input.action === 'review_changes') {
        const request = input.value?.trim();
        // Text typed in the review modal is the change request itself, applied like a reply.
        if (request)
          return advance(
            'change',
            { ...state, feedback: request, repairs: 0 },
            changesRequested(options.actor, request),
          );
        return advance('reopen', state, SAY.reopened);
      }
      return { kind: 'reply', text: REPLIES.shippedReview };
  }
  return { kind: 'reply', text: STALE };
}

/** Why `options.actor` may not grant this session another budget, if they may not. */
function budgetRefusal(state: SessionState, options: GateOptions): string | undefined {
  if (options.approver === false) return REPLIES.notApprover;
  const granted = state.budgetScale - 1;
  const max = options.maxBudgetContinues;
  if (max !== undefined && granted >= max) return budgetLimit(granted, max);
  return undefined;
}

function onAnswers(state: SessionState, input: GateInput): GateOutcome {
  const answers = { ...state.answers };
  if (input.kind === 'action' && input.action === 'defaults') {
    state.questions.forEach((q, i) => {
      answers[String(i)] ??= q.default;
    });
    return advance('answered', { ...state, answers }, SAY.defaultsTaken);
  }
  if (input.kind === 'action' && input.action === 'answer') {
    const [q, c] = (input.value ?? '').split(':').map(Number);
    const choice = state.questions[q ?? -1]?.choices[c ?? -1];
    if (choice === undefined || q === undefined) return { kind: 'reply', text: STALE };
    answers[String(q)] = choice;
  } else if (input.kind === 'message') {
    const open = state.questions.map((_, i) => i).filter((i) => answers[String(i)] === undefined);
    const numbered = numberedAnswers(input.text, state.questions.length);
    const only = open.length === 1 ? open[0]! : -1;
    if (only >= 0 && !numbered.has(only)) answers[String(only)] = input.text.trim();
    else if (numbered.size > 0) for (const [i, text] of numbered) answers[String(i)] = text;
    else answers[String(Math.max(open[0] ?? 0, 0))] = input.text.trim();
  } else {
    return { kind: 'reply', text: STALE };
  }
  const open = state.questions.map((_, i) => i).filter((i) => answers[String(i)] === undefined);
  if (open.length === 0) return advance('answered', { ...state, answers }, SAY.answered);
  return stay(
    { ...state, answers },
    {
      text: stillOpen(open),
      buttons: [[{ action: 'defaults', label: 'Use your defaults', style: 'primary' }, CANCEL]],
    },
  );
}

/**
 * Answers numbered at the start of a line ("1. …", "2) …"), by question index. On such a line the
 * next numbers in sequence also split it ("1. yes 2. no"); any other digits are text ("use a
 * timeout of 2.5 seconds" numbers nothing).
 */
export function numberedAnswers(text: string, count: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    let m = /^\s*(\d{1,2})[.)]\s+(.*)$/.exec(line);
    while (m) {
      const n = Number(m[1]);
      const rest = m[2]!;
      const next = new RegExp(`\\s(${n + 1})[.)]\\s+`).exec(rest);
      const answer = (next ? rest.slice(0, next.index) : rest).trim();
      if (n >= 1 && n <= count && answer) out.set(n - 1, answer);
      m = next ? /^(\d{1,2})[.)]\s+(.*)$/.exec(rest.slice(next.index + 1)) : null;
    }
  }
  return out;
}

function onFeedback(
  stage: 'give_feedback' | 'confirm_feedback',
  state: SessionState,
  input: GateInput,
): GateOutcome {
  if (input.kind === 'action') {
    switch (input.action) {
      case 'ship':
        return advance('ship', state, SAY.shipping);
      case 'run_again':
        if (stage === 'confirm_feedback') break;
        return advance('run_again', { ...state, repairs: 0 });
      case 'as_change':
        if (stage === 'confirm_feedback' && state.feedback) return advance('change', state);
        break;
      case 'next_change': {
        const [next, ...rest] = state.remaining;
        if (next && stage === 'give_feedback')
          return advance('change', { ...state, feedback: next, remaining: rest });
        break;
      }
    }
    return { kind: 'reply', text: STALE };
  }
  if (input.kind !== 'message') return { kind: 'reply', text: STALE };
  const intent = classifyFeedback(input.text);
  if (intent === 'ship') return advance('ship', state, SAY.shipping);
  if (intent === 'change') return advance('change', { ...state, feedback: input.text });
  const next = { ...state, feedback: input.text };
  const question = shipOrChangeDraft(input.text);
  if (stage === 'confirm_feedback') return stay(next, question);
  return { kind: 'advance', result: 'unsure', state: next, messages: [question] };
}
