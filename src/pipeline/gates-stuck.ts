/**
 * The gates where a session is stuck on a failing run (after the repair limit; a run whose only
 * failure is a check's expected output) and "Run with input": every way forward. Pure, like gates.ts.
 */
import { advance, type GateInput, type GateOptions, type GateOutcome, STALE, stay } from './gate-outcome.js';
import { badArguments, REPLIES, runningWith, SAY } from './messages.js';
import { quoteArgs, splitArgs } from './shell-words.js';
import type { SessionState } from './types.js';

/** After the repair limit, or when only a check's expected output failed: every way forward. */
export function onStuck(
  stage: 'after_repairs' | 'check_or_script',
  state: SessionState,
  input: GateInput,
  options: GateOptions,
): GateOutcome {
  if (input.kind === 'message') {
    if (state.awaitingChecks)
      return advance(
        'fix_checks',
        { ...state, feedback: input.text, awaitingChecks: false },
        SAY.changingChecks,
      );
    return advance('change', { ...state, feedback: input.text, repairs: 0, extraRepairs: 0 });
  }
  if (input.kind !== 'action') return { kind: 'reply', text: STALE };
  switch (stage === 'after_repairs' ? input.action : `check:${input.action}`) {
    case 'repair':
      return advance(
        'repair',
        { ...state, repairs: Math.max(0, options.maxRepairs - 1), extraRepairs: 0 },
        SAY.oneMoreRepair,
      );
    case 'more_rounds':
      return advance('repair', { ...state, extraRepairs: state.extraRepairs + 3 }, SAY.moreRounds);
    case 'ship':
      return advance('ship', state, SAY.shipAsIs);
    case 'change_checks':
      return stay({ ...state, awaitingChecks: true }, { text: REPLIES.sayHowChecks });
    case 'feedback':
      if (!state.awaitingChecks) return { kind: 'reply', text: REPLIES.describeChange };
      return stay({ ...state, awaitingChecks: false }, { text: REPLIES.describeChange });
    case 'check:fix_script':
      return advance('repair', state, SAY.fixingScript);
    case 'check:fix_check':
      return advance('fix_checks', { ...state, feedback: '' }, SAY.fixingCheck);
  }
  return { kind: 'reply', text: STALE };
}

/** "Run with input": `args: …` (shell-like words), `stdin: …`, or plain text (arguments when the
 * script reads arguments but not stdin, else stdin). */
export function runWithInput(state: SessionState, text: string): GateOutcome {
  const explicit = /^\s*(args|arguments|stdin)\s*:\s?/i.exec(text);
  const inputs = state.outline?.inputs;
  const asArgs = explicit ? explicit[1]!.toLowerCase() !== 'stdin' : Boolean(inputs?.argv && !inputs.stdin);
  const body = explicit ? text.slice(explicit[0].length) : text;
  let runInput = { ...state.runInput };
  if (asArgs) {
    try {
      runInput = { ...runInput, args: splitArgs(body) };
    } catch (error) {
      return { kind: 'reply', text: badArguments((error as Error).message) };
    }
  } else runInput = { ...runInput, stdin: body };
  const shown = asArgs ? `arguments ${quoteArgs(runInput.args)}` : 'your input on stdin';
  return advance(
    'run',
    { ...state, awaitingInput: false, repairs: 0, extraRepairs: 0, runInput },
    runningWith(shown),
  );
}
