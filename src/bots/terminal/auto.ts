import type { NumberedButton } from './render.js';

/**
 * The `--auto` policy: which button a script-driven session clicks at each human gate. It takes
 * the stated defaults, approves the outline and the run, ships after a run that passed, and
 * stops at every point only a person can decide (repair limit, budget, a failed run, a question
 * about ambiguous feedback). Pure: stage, the last run's verdict and the offered buttons in.
 */

export type AutoDecision<B extends NumberedButton = NumberedButton> =
  | { kind: 'click'; button: B }
  /** A free-text reply (e.g. "use the defaults" when no button says so). */
  | { kind: 'say'; text: string }
  | { kind: 'stop'; reason: string };

/** For each gate, the actions (then labels) that mean "go on", most specific first. */
const GO_ON = {
  answer_questions: {
    actions: ['use_defaults', 'defaults', 'skip_questions', 'skip'],
    labels: /default|skip/i,
  },
  approve_outline: { actions: ['approve_outline', 'approve'], labels: /^approve/i },
  approve_run: { actions: ['run', 'run_it', 'approve_run'], labels: /^run( it)?\b/i },
  give_feedback: { actions: ['ship', 'ship_it'], labels: /^ship/i },
} as const satisfies Record<string, { actions: readonly string[]; labels: RegExp }>;

const WHY_STOP: Record<string, string> = {
  after_repairs: 'the repair rounds are spent; a person must decide what to change',
  budget_paused: 'the model budget is spent; a person must decide whether to continue',
  retry_paused: 'the model gave invalid answers twice; a person must decide whether to retry',
  confirm_feedback: 'the feedback was ambiguous; a person must confirm it',
};

/**
 * @param stage      the session's waiting stage
 * @param lastRunOk  whether the last sandbox run passed its smoke checks (undefined: no run yet)
 * @param buttons    the choices the latest message offers
 */
export function decideAuto<B extends NumberedButton>(
  stage: string,
  lastRunOk: boolean | undefined,
  buttons: readonly B[],
): AutoDecision<B> {
  if (stage === 'give_feedback' && lastRunOk !== true) {
    return { kind: 'stop', reason: 'the last run did not pass its smoke checks; a person must decide' };
  }
  const rule = (GO_ON as Record<string, { actions: readonly string[]; labels: RegExp }>)[stage];
  if (!rule)
    return { kind: 'stop', reason: WHY_STOP[stage] ?? `the session waits at "${stage}" for a person` };
  for (const action of rule.actions) {
    const button = buttons.find((b) => b.action === action);
    if (button) return { kind: 'click', button };
  }
  const byLabel = buttons.find((b) => rule.labels.test(b.label));
  if (byLabel) return { kind: 'click', button: byLabel };
  if (stage === 'answer_questions') return { kind: 'say', text: 'use the defaults' };
  if (buttons.some((b) => b.action.startsWith('pkg_')))
    return { kind: 'stop', reason: 'the design needs a package that is not installed; a person must choose' };
  return { kind: 'stop', reason: `no button to go on at "${stage}"` };
}
