/**
 * What a person's reply, click or file does at each waiting point. Pure: stage + state + input in,
 * either an advance (committed by the runner) or a reply only that person sees (stale buttons,
 * busy stages), out. Cancel works everywhere.
 */
import { type FileReader, fileRef, readStateFile } from './context.js';
import { classifyFeedback, isCancelText } from './feedback.js';
import { onStuck, runWithInput } from './gates-stuck.js';
import { handEdit, pendingGoalInput, scriptFileAtGate } from './hand-edit.js';
import { CANCEL } from './messages.js';
import { packageGate } from './packages.js';
import { describeAttachment } from './rules.js';
import { type Draft, isWorkingStage, type SessionState, type StageName } from './types.js';

export type HumanInput =
  | { kind: 'message'; text: string }
  | { kind: 'action'; action: string; value?: string }
  /** A stored attachment (bytes are read by id through GateOptions.files when needed). */
  | { kind: 'file'; name: string; blobId: number; size: number; text?: string };

export type GateOutcome =
  | { kind: 'advance'; result: string; state: SessionState; messages?: Draft[]; scriptReason?: string }
  | { kind: 'reply'; text: string };

export interface GateOptions {
  maxRepairs: number;
  /** Who acted, for messages ("cancelled by …"). */
  actor: string;
  /** The actor is an approver (FF2_APPROVERS): only approvers may grant more budget. Default true. */
  approver?: boolean;
  /** Extra budgets approvers may grant per session (FF2_MAX_BUDGET_CONTINUES). Default unlimited. */
  maxBudgetContinues?: number;
  /** Stored files (an attached .py taken as the new script). */
  files?: FileReader;
  /** Display name of who acted ("edited by …"); `actor` when absent. */
  actorName?: string;
  /** The session's goal (an own script's outline gate applies it). */
  goal?: string;
}

/** A click on Cancel, or a typed "cancel". */
export function isCancelInput(input: HumanInput): boolean {
  return (
    (input.kind === 'action' && input.action === 'cancel') ||
    (input.kind === 'message' && isCancelText(input.text))
  );
}

export const STALE = 'That button is no longer active: the session has moved on.';

export function handleInput(
  stage: StageName,
  state: SessionState,
  input: HumanInput,
  options: GateOptions,
): GateOutcome {
  const cancel = isCancelInput(input);
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
      : { kind: 'reply', text: 'I\'m working on it and will ask when I need you. Say "cancel" to stop.' };
  }
  if (input.kind === 'file') return onFile(stage, state, input, options.files);
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
          messages: [
            {
              text: 'Reply with the input: "args: <arguments>" for command-line arguments (quote like a shell), "stdin: <text>" (or just text) for standard input; or attach the input file.',
            },
          ],
        };
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
          `${options.actor} granted another budget of the same size. Continuing…`,
        );
      }
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

/** Why `options.actor` may not grant this session another budget, if they may not. */
function budgetRefusal(state: SessionState, options: GateOptions): string | undefined {
  if (options.approver === false)
    return 'Only an approver (FF2_APPROVERS) can grant this session more budget: ask one to click Continue, or Cancel.';
  const granted = state.budgetScale - 1;
  const max = options.maxBudgetContinues;
  if (max !== undefined && granted >= max)
    return `This session has had ${granted} extra budget(s), the limit per session (FF2_MAX_BUDGET_CONTINUES=${max}); it does not reset. Cancel it and start a new session, or raise FF2_MAX_BUDGET_CONTINUES.`;
  return undefined;
}

export function advance(result: string, state: SessionState, text?: string): GateOutcome {
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

const EDITABLE: readonly StageName[] = ['approve_run', 'give_feedback', 'after_repairs', 'check_or_script'];
const TAKES_INPUT: readonly StageName[] = ['approve_run', 'give_feedback'];

/** A .py could be the new script or an input file: ask. Other files are run input. */
function onFile(
  stage: StageName,
  state: SessionState,
  input: Extract<HumanInput, { kind: 'file' }>,
  files: FileReader | undefined,
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
        pendingFile: { name: input.name, blobId: input.blobId, base64: '' },
      },
      messages: [
        {
          text: `Is ${input.name} the new version of the script, or an input file for the run?`,
          buttons: [buttons],
        },
      ],
    };
  }
  if (TAKES_INPUT.includes(stage)) return acceptInput(stage, state, input.name, fileRef(input.blobId), files);
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
  const ref = file.blobId !== undefined ? fileRef(file.blobId) : file.base64;
  const cleared = { ...state, pendingFile: null };
  if (action === 'file_as_script') {
    const bytes = readStateFile(ref, options.files);
    if (!bytes) return { kind: 'reply', text: `${file.name} is no longer stored; please attach it again.` };
    return handEdit(cleared, file.name, bytes, options.actorName ?? options.actor);
  }
  if (action === 'file_as_input' && TAKES_INPUT.includes(stage))
    return acceptInput(stage, cleared, file.name, ref, options.files);
  return undefined;
}

/** Keeps the file (by reference: `blob:<id>`) as run input under its name; the model sees its head. */
function acceptInput(
  stage: StageName,
  state: SessionState,
  name: string,
  ref: string,
  files: FileReader | undefined,
): GateOutcome {
  const bytes = readStateFile(ref, files) ?? new Uint8Array();
  const runFiles = { ...state.runInput.files, [name]: ref };
  const attachments = [...state.attachments.filter((a) => a.name !== name), describeAttachment(name, bytes)];
  const next = {
    ...state,
    runInput: { ...state.runInput, files: runFiles },
    attachments,
    awaitingInput: false,
  };
  if (stage === 'approve_run' && state.awaitingInput) return advance('run', next, `Running with ${name}…`);
  if (isWorkingStage(stage) || stage === 'answer_questions' || stage === 'approve_outline')
    return {
      kind: 'advance',
      result: 'stay',
      state: next,
      messages: [{ text: `Saved ${name}; the outline, the code and the checks will use it.` }],
    };
  return {
    kind: 'advance',
    result: 'stay',
    state: next,
    messages: [{ text: `Saved ${name} as an input file for the next runs.` }],
  };
}
