/**
 * What a person's reply, click or file does at each waiting point. Pure: stage + state + input in,
 * either an advance (committed by the runner) or a reply only that person sees (stale buttons,
 * busy stages), out. Cancel works everywhere.
 */
import { classifyFeedback, isCancelText } from './feedback.js';
import { handEdit, pendingGoalInput, scriptFileAtGate } from './hand-edit.js';
import { CANCEL } from './messages.js';
import { packageGate } from './packages.js';
import { type Draft, isWorkingStage, type SessionState, type StageName } from './types.js';

export type HumanInput =
  | { kind: 'message'; text: string }
  | { kind: 'action'; action: string; value?: string }
  | { kind: 'file'; name: string; bytes: Uint8Array; text?: string };

export type GateOutcome =
  | { kind: 'advance'; result: string; state: SessionState; messages?: Draft[]; scriptReason?: string }
  | { kind: 'reply'; text: string };

export interface GateOptions {
  maxRepairs: number;
  /** Who acted, for messages ("cancelled by …"). */
  actor: string;
  /** The actor is in FF2_APPROVERS (may ask an admin to install a package). */
  approver?: boolean;
  /** Display name of who acted ("edited by …"); `actor` when absent. */
  actorName?: string;
  /** The session's goal (an own script's outline gate applies it). */
  goal?: string;
}

const STALE = 'That button is no longer active: the session has moved on.';

export function handleInput(
  stage: StageName,
  state: SessionState,
  input: HumanInput,
  options: GateOptions,
): GateOutcome {
  const cancel =
    (input.kind === 'action' && input.action === 'cancel') ||
    (input.kind === 'message' && isCancelText(input.text));
  if (stage === 'cancelled' || stage === 'failed')
    return { kind: 'reply', text: 'This session has ended. Start a new one with a goal.' };
  if (cancel) {
    if (stage === 'shipped') return { kind: 'reply', text: 'This session is already shipped.' };
    return {
      kind: 'advance',
      result: 'cancel',
      state: { ...state, note: `cancelled by ${options.actor} during ${stage}` },
      messages: [{ text: 'Cancelled. Nothing else will run in this session.' }],
    };
  }
  if (isWorkingStage(stage)) {
    return input.kind === 'action'
      ? { kind: 'reply', text: STALE }
      : { kind: 'reply', text: 'I\'m working on it and will ask when I need you. Say "cancel" to stop.' };
  }
  if (input.kind === 'file')
    return scriptFileAtGate(stage, state, input, options) ?? onFile(stage, state, input);
  if (input.kind === 'action' && input.action.startsWith('file_as_')) {
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
        return advance(
          'approved',
          { ...state, genIndex: 0, genUnits: [], code: '' },
          'Outline approved. Writing the code…',
        );
      if (input.kind === 'action' && input.action === 'edit')
        return { kind: 'reply', text: 'Reply in the thread with what to change in the outline.' };
      if (input.kind === 'message') return advance('edit', { ...state, feedback: input.text });
      return { kind: 'reply', text: STALE };
    }
    case 'approve_run':
      if (input.kind === 'action' && input.action === 'run') return advance('run', { ...state, repairs: 0 });
      if (input.kind === 'action' && input.action === 'run_with_input') {
        return {
          kind: 'advance',
          result: 'stay',
          state: { ...state, awaitingInput: true },
          messages: [{ text: 'Reply with the input to send on stdin, or attach the input file.' }],
        };
      }
      if (input.kind === 'message') {
        if (state.awaitingInput)
          return advance('run', {
            ...state,
            awaitingInput: false,
            repairs: 0,
            runInput: { ...state.runInput, stdin: input.text },
          });
        return advance('change', { ...state, feedback: input.text });
      }
      return { kind: 'reply', text: STALE };
    case 'give_feedback':
    case 'confirm_feedback':
      return onFeedback(stage, state, input);
    case 'after_repairs':
      if (input.kind === 'action' && input.action === 'repair')
        return advance(
          'repair',
          { ...state, repairs: Math.max(0, options.maxRepairs - 1) },
          'Trying one more repair…',
        );
      if (input.kind === 'action' && input.action === 'feedback')
        return { kind: 'reply', text: 'Reply in the thread with what to change.' };
      if (input.kind === 'message') return advance('change', { ...state, feedback: input.text, repairs: 0 });
      return { kind: 'reply', text: STALE };
    case 'budget_paused':
      if (input.kind === 'action' && input.action === 'continue')
        return advance(
          'resume',
          { ...state, paused: null, budgetScale: state.budgetScale + 1 },
          'Continuing with another budget of the same size…',
        );
      return { kind: 'reply', text: 'The session is paused on its budget: click Continue or Cancel.' };
    case 'retry_paused':
      if (input.kind === 'action' && input.action === 'retry')
        return advance('resume', { ...state, paused: null, attempt: state.attempt + 1 }, 'Retrying…');
      return { kind: 'reply', text: 'The session is paused: click Retry or Cancel.' };
    case 'shipped':
      if (input.kind === 'action' && input.action === 'review_changes') {
        const request = input.value?.trim();
        // Text typed in the review modal is the change request itself, applied like a reply.
        if (request)
          return advance(
            'change',
            { ...state, feedback: request, repairs: 0 },
            `Changes were requested by ${options.actor}: ${request.slice(0, 300)}\nApplying them…`,
          );
        return advance('reopen', state, 'Changes were requested: reply in this thread with what to change.');
      }
      return {
        kind: 'reply',
        text: 'This script is shipped. A reviewer can request changes from the review card.',
      };
  }
  return { kind: 'reply', text: STALE };
}

function advance(result: string, state: SessionState, text?: string): GateOutcome {
  return { kind: 'advance', result, state, ...(text ? { messages: [{ text }] } : {}) };
}

function onAnswers(state: SessionState, input: HumanInput): GateOutcome {
  const answers = { ...state.answers };
  if (input.kind === 'action' && input.action === 'defaults') {
    state.questions.forEach((q, i) => {
      answers[String(i)] ??= q.default;
    });
    return advance(
      'answered',
      { ...state, answers },
      'Using the defaults for the rest. Writing the outline…',
    );
  }
  if (input.kind === 'action' && input.action === 'answer') {
    const [q, c] = (input.value ?? '').split(':').map(Number);
    const choice = state.questions[q ?? -1]?.choices[c ?? -1];
    if (choice === undefined || q === undefined) return { kind: 'reply', text: STALE };
    answers[String(q)] = choice;
  } else if (input.kind === 'message') {
    const numbered = [...input.text.matchAll(/(?:^|\n|\s)(\d)[.):]\s*([^\n]+?)(?=\s+\d[.):]\s|\n|$)/g)];
    if (numbered.length > 0) {
      for (const m of numbered) {
        const i = Number(m[1]) - 1;
        if (state.questions[i]) answers[String(i)] = m[2]!.trim();
      }
    } else {
      const open = state.questions.findIndex((_, i) => answers[String(i)] === undefined);
      answers[String(Math.max(open, 0))] = input.text.trim();
    }
  } else {
    return { kind: 'reply', text: STALE };
  }
  const open = state.questions.map((_, i) => i).filter((i) => answers[String(i)] === undefined);
  if (open.length === 0) return advance('answered', { ...state, answers }, 'Thanks. Writing the outline…');
  return {
    kind: 'advance',
    result: 'stay',
    state: { ...state, answers },
    messages: [
      {
        text: `Noted. Still open: ${open.map((i) => `question ${i + 1}`).join(', ')}.`,
        buttons: [[{ action: 'defaults', label: 'Use your defaults', style: 'primary' }, CANCEL]],
      },
    ],
  };
}

function onFeedback(
  stage: 'give_feedback' | 'confirm_feedback',
  state: SessionState,
  input: HumanInput,
): GateOutcome {
  if (input.kind === 'action') {
    switch (input.action) {
      case 'ship':
        return advance('ship', state, 'Shipping…');
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
  if (intent === 'ship') return advance('ship', state, 'Shipping…');
  if (intent === 'change') return advance('change', { ...state, feedback: input.text });
  const next = { ...state, feedback: input.text };
  const question: Draft = {
    text: `Do you want me to ship the script as it is, or treat "${input.text.trim().slice(0, 200)}" as a change request?`,
    buttons: [
      [
        { action: 'ship', label: 'Ship it', style: 'primary' },
        { action: 'as_change', label: 'Treat it as a change' },
        CANCEL,
      ],
    ],
  };
  if (stage === 'confirm_feedback')
    return { kind: 'advance', result: 'stay', state: next, messages: [question] };
  return { kind: 'advance', result: 'unsure', state: next, messages: [question] };
}

const EDITABLE: readonly StageName[] = ['approve_run', 'give_feedback', 'after_repairs'];
const TAKES_INPUT: readonly StageName[] = ['approve_run', 'give_feedback'];

/** A .py could be the new script or an input file: ask. Other files are run input. */
function onFile(
  stage: StageName,
  state: SessionState,
  input: Extract<HumanInput, { kind: 'file' }>,
): GateOutcome {
  if (input.name.endsWith('.py') && EDITABLE.includes(stage)) {
    const buttons = [{ action: 'file_as_script', label: 'Use as the new script', style: 'primary' as const }];
    if (TAKES_INPUT.includes(stage))
      buttons.push({ action: 'file_as_input', label: 'Use as an input file', style: 'primary' });
    return {
      kind: 'advance',
      result: 'stay',
      state: {
        ...state,
        pendingFile: { name: input.name, base64: Buffer.from(input.bytes).toString('base64') },
      },
      messages: [
        {
          text: `Is ${input.name} the new version of the script, or an input file for the run?`,
          buttons: [buttons],
        },
      ],
    };
  }
  if (TAKES_INPUT.includes(stage)) return acceptInput(stage, state, input.name, input.bytes);
  return { kind: 'reply', text: 'I can take a file when the script is ready to run or after a run.' };
}

/** The answer to "new script or input file?". */
function onPendingFile(
  stage: StageName,
  state: SessionState,
  action: string,
  options: GateOptions,
): GateOutcome | undefined {
  const file = state.pendingFile;
  if (!file || !EDITABLE.includes(stage)) return undefined;
  const bytes = Uint8Array.from(Buffer.from(file.base64, 'base64'));
  const cleared = { ...state, pendingFile: null };
  if (action === 'file_as_script')
    return handEdit(cleared, file.name, bytes, options.actorName ?? options.actor);
  if (action === 'file_as_input' && TAKES_INPUT.includes(stage))
    return acceptInput(stage, cleared, file.name, bytes);
  return undefined;
}

function acceptInput(stage: StageName, state: SessionState, name: string, bytes: Uint8Array): GateOutcome {
  const files = { ...state.runInput.files, [name]: Buffer.from(bytes).toString('base64') };
  const next = { ...state, runInput: { ...state.runInput, files }, awaitingInput: false };
  if (stage === 'approve_run' && state.awaitingInput) return advance('run', next, `Running with ${name}…`);
  return {
    kind: 'advance',
    result: 'stay',
    state: next,
    messages: [{ text: `Saved ${name} as an input file for the next runs.` }],
  };
}
