/**
 * The words ff2 says at each point, as platform-neutral drafts (adapters format and escape).
 * Pure: state in, drafts out.
 */
import { quoteArgs } from './shell-words.js';
import type { Draft, DraftButton, Outline, Question, RunSummary, SessionState, SmokeCheck } from './types.js';
import { type GateAction, isGateAction } from './vocabulary.js';

export const CANCEL: DraftButton = { action: 'cancel', label: 'Cancel', style: 'danger' };
const CONTINUE: DraftButton = { action: 'continue', label: 'Continue', style: 'primary' };
const RETRY: DraftButton = { action: 'retry', label: 'Retry', style: 'primary' };

export function questionDrafts(questions: readonly Question[]): Draft[] {
  const drafts: Draft[] = questions.map((q, i) => ({
    text: `Question ${i + 1}/${questions.length}: ${q.question}\nIf you don't answer, I'll assume: ${q.default}`,
    buttons: [
      q.choices.map((choice, c) => ({ action: 'answer', label: choice.slice(0, 70), value: `${i}:${c}` })),
    ],
  }));
  drafts.push({
    text: 'Click an answer, or reply in the thread (number your answers, e.g. "1. yes 2. semicolons"), or take my defaults.',
    buttons: [[{ action: 'defaults', label: 'Use your defaults', style: 'primary' }, CANCEL]],
  });
  return drafts;
}

/** The outline as a person reads it. */
export function outlineText(outline: Outline): string {
  const lines = [outline.spec, ''];
  if (outline.imports.length > 0) lines.push(`Imports: ${outline.imports.join(', ')}`);
  for (const g of outline.globals) lines.push(`Constant ${g.name}: ${g.purpose}`);
  for (const c of outline.classes) lines.push(`• class ${c.name}: ${c.purpose}`);
  lines.push('Functions:');
  for (const f of outline.functions) lines.push(`• ${f.name}(${f.params}) → ${f.returns}: ${f.purpose}`);
  lines.push('Main flow:');
  for (const [i, step] of outline.mainFlow.entries()) lines.push(`  ${i + 1}. ${step}`);
  const inputs = (['argv', 'stdin', 'files'] as const).filter((k) => outline.inputs[k]);
  lines.push(
    `Runs as: ${outline.runMode === 'gui' ? 'a window (screenshot after the run)' : 'a command-line program'}`,
  );
  if (inputs.length > 0)
    lines.push(`Reads: ${inputs.map((k) => (k === 'argv' ? 'arguments' : k)).join(', ')}`);
  lines.push('Checks after each run (reply to change them, like any other part):');
  lines.push(checksText(outline.smokeChecks));
  return lines.join('\n');
}

/** Every smoke check in full: arguments, stdin, files, expected exit code and output. */
export function checksText(checks: readonly SmokeCheck[]): string {
  return checks
    .map((check, i) => {
      const lines = [`  ${i + 1}. ${check.description || '(no description)'}`];
      lines.push(`     arguments: ${check.args.length > 0 ? quoteArgs(check.args) : '(none)'}`);
      if (check.stdin) lines.push(`     stdin: ${JSON.stringify(clip(check.stdin, 200))}`);
      for (const f of check.files)
        lines.push(
          `     file ${f.name} (${f.content.length} chars): ${JSON.stringify(clip(f.content, 120))}`,
        );
      const output = check.expectOutput.map((o) => JSON.stringify(o)).join(', ');
      lines.push(
        `     expects: exit code ${check.expectExit}${output ? `, output containing ${output}` : ''}`,
      );
      return lines.join('\n');
    })
    .join('\n');
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

export function outlineDraft(outline: Outline, revised: boolean): Draft {
  return {
    title: revised ? 'Revised outline' : 'Outline',
    text: `${outlineText(outline)}\n\nApprove it, or reply with what to change.`,
    buttons: [
      [{ action: 'approve', label: 'Approve', style: 'primary' }, { action: 'edit', label: 'Edit' }, CANCEL],
    ],
  };
}

export function scriptFile(
  state: SessionState,
  name = 'script.py',
): { name: string; text: string; mime: string } {
  return { name, text: state.code, mime: 'text/x-python' };
}

export function runApprovalDraft(state: SessionState): Draft {
  const buttons: DraftButton[] = [{ action: 'run', label: 'Run', style: 'primary' }];
  const inputs = state.outline?.inputs;
  if (inputs?.stdin || inputs?.files || inputs?.argv)
    buttons.push({ action: 'run_with_input', label: 'Run with input…' });
  buttons.push(CANCEL);
  return {
    title: 'Ready to run',
    text: `${state.qaReport}\n\nThe script is attached. Run it in the sandbox? (Or reply with a change.)`,
    files: [scriptFile(state)],
    buttons: [buttons],
  };
}

export function feedbackButtons(): DraftButton[][] {
  return [
    [
      { action: 'ship', label: 'Ship it', style: 'primary' },
      { action: 'run_again', label: 'Run again' },
      CANCEL,
    ],
  ];
}

export function afterRepairsDraft(state: SessionState, run: RunSummary | null): Draft {
  return {
    title: 'Repairs stopped',
    text: `I tried ${state.repairs} repair${state.repairs === 1 ? '' : 's'} and the script still fails: ${run?.problem ?? 'unknown problem'}.\n${run?.detail ? `\n${tail(run.detail, 12)}\n` : ''}\nShip it as it is, try 3 more repair rounds, change the checks (if a check expects the wrong thing), describe a change, or cancel.`,
    files: [scriptFile(state)],
    buttons: [
      [
        { action: 'more_rounds', label: 'Try 3 more rounds', style: 'primary' },
        { action: 'ship', label: 'Ship as is' },
        { action: 'change_checks', label: 'Change the checks' },
        { action: 'feedback', label: 'Describe a change' },
        CANCEL,
      ],
    ],
  };
}

/** A run whose only failures are expected output: the script or the check may be what is wrong. */
export function checkOrScriptDraft(expected: string, printed: string): Draft {
  return {
    title: 'Script or check?',
    text: `The check expected ${expected}, the script printed ${printed} — fix the script, or fix the check?\n(Or reply with a change.)`,
    buttons: [
      [
        { action: 'fix_script', label: 'Fix the script', style: 'primary' },
        { action: 'fix_check', label: 'Fix the check' },
        CANCEL,
      ],
    ],
  };
}

/** The last `n` lines of a text. */
export function tail(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}

/** The first `n` lines of a text, with a note when more was cut. */
export function head(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  if (lines.length <= n) return lines.join('\n');
  return `${lines.slice(0, n).join('\n')}\n… (${lines.length - n} more lines attached)`;
}

/** The acknowledgement of a new session. */
export function newSessionDraft(goal: string, startLine: string | undefined): Draft {
  return {
    title: 'New ff2 session',
    text: `Goal: ${goal}\n${startLine ? `${startLine}\n` : ''}I'll ask a few questions if needed, then propose an outline. Say "cancel" at any time.`,
  };
}

/** How a stage's status message ends when the stage is left with `result`. */
export function statusEndLine(label: string, result: string): string {
  const end = result === 'cancel' ? '✗ cancelled' : result.startsWith('pause_') ? '⏸ paused' : '✓ done';
  return `${label}: ${end}`;
}

/** A stage's progress line, with the session's model usage so far. */
export function progressLine(
  label: string,
  text: string,
  usage: { calls: number; promptTokens: number; completionTokens: number; costUsd: number },
): string {
  const cost = usage.costUsd > 0 ? `, $${usage.costUsd.toFixed(4)}` : '';
  return `⏳ ${label}: ${text} · ${usage.calls} model calls, ${usage.promptTokens + usage.completionTokens} tokens${cost}`;
}

/** A new script version shown as a diff (repairs, changes, hand edits). */
export function versionDiffDraft(
  number: number,
  reason: string,
  diff: string,
  added: number,
  removed: number,
): Draft {
  return {
    text: `Version ${number} (${reason}): +${added} −${removed} lines.`,
    files: [{ name: `v${number}.diff`, text: diff }],
  };
}

/** Replies that change nothing (only the person who acted sees them). */
export const REPLIES = {
  gone: 'This session no longer exists.',
  ended: 'This session has ended. Start a new one with a goal.',
  stale: 'That button is no longer active: the session has moved on.',
  working: 'I\'m working on it and will ask when I need you. Say "cancel" to stop.',
  shipped: 'This session is already shipped.',
  editOutline: 'Reply in the thread with what to change in the outline.',
  describeChange: 'Reply in the thread with what to change.',
  budgetPaused: 'The session is paused on its budget: click Continue or Cancel.',
  retryPaused: 'The session is paused: click Retry or Cancel.',
  shippedReview: 'This script is shipped. A reviewer can request changes from the review card.',
  fileWhenReady: 'I can take a file when the script is ready to run or after a run.',
  sayHowChecks:
    'Reply with how the checks should change, e.g. "the missing-file check should expect exit code 2".',
  notApprover:
    'Only an approver (FF2_APPROVERS) can grant this session more budget: ask one to click Continue, or Cancel.',
} as const;

/** A gate's state change that does not fit the session. */
export function cannotApply(problem: string): string {
  return `That cannot be applied: ${problem}.`;
}

/** The feedback gate, shown again (terminal --resume). */
export function feedbackWaitDraft(lastRun: RunSummary | null): Draft {
  return {
    title: 'Waiting for your feedback',
    text: lastRun
      ? `Last run: ${lastRun.ok ? 'passed' : `failed — ${lastRun.problem}`}. Ship it, run again, or reply with a change.`
      : 'Ship it, run again, or reply with a change.',
    buttons: feedbackButtons(),
  };
}

/** The budget pause, shown again (terminal --resume). */
export function budgetPausedDraft(reason: string | undefined): Draft {
  return {
    title: 'Budget reached',
    text: `Paused: ${reason ?? 'the budget is spent'}\nContinue (after raising the budget) or cancel.`,
    buttons: [[CONTINUE, CANCEL]],
  };
}

/** The retry pause, shown again (terminal --resume). */
export function retryPausedDraft(reason: string | undefined): Draft {
  return {
    title: 'Stopped — needs a retry',
    text: `Stopped: ${reason ?? 'unknown reason'}. Nothing was lost; Retry asks again.`,
    buttons: [[RETRY, CANCEL]],
  };
}

/** What the gates say in the thread when a person's input moves the session on. */
export const SAY = {
  cancelled: 'Cancelled. Nothing else will run in this session.',
  outlineApproved: 'Outline approved. Writing the code…',
  runInputHow:
    'Reply with the input: "args: <arguments>" for command-line arguments (quote like a shell), "stdin: <text>" (or just text) for standard input; or attach the input file.',
  retrying: 'Retrying…',
  reopened: 'Changes were requested: reply in this thread with what to change.',
  defaultsTaken: 'Using the defaults for the rest. Writing the outline…',
  answered: 'Thanks. Writing the outline…',
  shipping: 'Shipping…',
  shipAsIs: 'Shipping it as it is…',
  changingChecks: 'Changing the checks…',
  oneMoreRepair: 'Trying one more repair…',
  moreRounds: 'Trying 3 more repair rounds…',
  fixingScript: 'Fixing the script…',
  fixingCheck: 'Fixing the check…',
} as const;

/** Another budget granted by an approver. */
export function budgetGranted(actor: string): string {
  return `${actor} granted another budget of the same size. Continuing…`;
}

/** The per-session limit of extra budgets is reached. */
export function budgetLimit(granted: number, max: number): string {
  return `This session has had ${granted} extra budget(s), the limit per session (FF2_MAX_BUDGET_CONTINUES=${max}); it does not reset. Cancel it and start a new session, or raise FF2_MAX_BUDGET_CONTINUES.`;
}

/** A reviewer's change request typed in the review modal. */
export function changesRequested(actor: string, request: string): string {
  return `Changes were requested by ${actor}: ${request.slice(0, 300)}\nApplying them…`;
}

/** Interview questions still unanswered. */
export function stillOpen(open: readonly number[]): string {
  return `Noted. Still open: ${open.map((i) => `question ${i + 1}`).join(', ')}.`;
}

/** Feedback that is neither clearly "ship" nor clearly a change: which is it? */
export function shipOrChangeDraft(text: string): Draft {
  return {
    text: `Do you want me to ship the script as it is, or treat "${text.trim().slice(0, 200)}" as a change request?`,
    buttons: [
      [
        { action: 'ship', label: 'Ship it', style: 'primary' },
        { action: 'as_change', label: 'Treat it as a change' },
        CANCEL,
      ],
    ],
  };
}

/** A .py attached at a gate where it could be either. */
export function scriptOrInput(name: string): string {
  return `Is ${name} the new version of the script, or an input file for the run?`;
}

/** An attached file kept as run input. */
export function fileSaved(name: string, where: 'design' | 'runs' | 'running'): string {
  if (where === 'running') return `Running with ${name}…`;
  return where === 'design'
    ? `Saved ${name}; the outline, the code and the checks will use it.`
    : `Saved ${name} as an input file for the next runs.`;
}

/** "Run with input": the arguments did not parse, or the run starts with them. */
export function badArguments(problem: string): string {
  return `I could not read those arguments: ${problem}.`;
}
export function runningWith(shown: string): string {
  return `Running with ${shown}…`;
}

/** Buttons that ask for text before they act (a modal on Slack and Discord): its title and label. */
const TEXT_FIRST = {
  review_changes: { title: 'Request changes', label: 'What should change?' },
} as const satisfies Partial<Record<GateAction, { title: string; label: string }>>;

/** The text box a click on `action` opens first; undefined for a button that acts at once. */
export function textFirst(action: string): { title: string; label: string } | undefined {
  if (!isGateAction(action) || !Object.hasOwn(TEXT_FIRST, action)) return undefined;
  return TEXT_FIRST[action as keyof typeof TEXT_FIRST];
}

/** A stage stopped on its budget: an approver may grant another (Continue). */
export function budgetPauseDraft(label: string, why: string): Draft {
  return {
    title: 'Budget reached',
    text: `Paused while ${label}: ${why}\nAn approver can grant one more budget of the same size (Continue); or cancel.`,
    buttons: [[CONTINUE, CANCEL]],
  };
}

/** A stage stopped on an error: Retry asks again. */
export function retryPauseDraft(label: string, why: string): Draft {
  return {
    title: 'Stopped — needs a retry',
    text: `I stopped while ${label}: ${why}. Nothing was lost; Retry asks again.`,
    buttons: [[RETRY, CANCEL]],
  };
}
