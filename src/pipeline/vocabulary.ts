/**
 * The pipeline's words, declared once: the actions a button may carry and the event types of the
 * audit log (stage results are the edges of TRANSITIONS, machine.ts). A misspelt action or event
 * type is a type error wherever one is written or compared.
 */

/** Every action a button ff2 posts may carry, with what a click means. */
export const GATE_ACTIONS = {
  cancel: 'stop the session',
  answer: 'pick a suggested answer (value `question:choice`)',
  defaults: 'take the default answers for the open questions',
  approve: 'approve the outline',
  edit: 'say what to change in the outline',
  run: 'run the script',
  run_with_input: 'run with arguments, stdin or a file given next',
  ship: 'ship the script as it is',
  run_again: 'run again',
  as_change: 'treat the last reply as a change request',
  next_change: 'apply the next part of a compound request',
  more_rounds: 'grant 3 more repair rounds',
  repair: 'try one more repair',
  change_checks: 'say how the smoke checks should change',
  feedback: 'describe a change',
  fix_script: 'the script is wrong, not the check',
  fix_check: 'the check is wrong, not the script',
  continue: 'grant another budget (approvers)',
  retry: 'ask again after a pause',
  file_as_script: 'the attached .py is the new script',
  file_as_input: 'the attached .py is run input',
  pkg_stdlib: 'revise the outline to the standard library',
  pkg_alt: 'revise the outline to the suggested alternative',
  pkg_admin: 'ask an admin to install the package (approvers)',
  pkg_recheck: 'check the script environment again',
  review_approve: 'approve the shipped script (review card)',
  review_changes: 'request changes to the shipped script (review card)',
} as const satisfies Record<string, string>;
export type GateAction = keyof typeof GATE_ACTIONS;

export function isGateAction(action: string): action is GateAction {
  return Object.hasOwn(GATE_ACTIONS, action);
}

/** Every type of row in the audit log (`events.type`). */
export const EVENT_TYPES = [
  'goal', // a session was started with this goal
  'input_message', // a person replied in the thread
  'input_action', // a person clicked a button
  'input_file', // a person attached a file
  'comment', // someone who may not steer spoke, or an own approval kept as a comment
  'stage_done', // a step was committed: from, to, result
  'stage_error', // a stage paused on an error
  'internal_error', // a broken session was ended
  'section_generated', // a section of the script was written
  'review', // the review verdicts
  'qa_fix', // static findings fixed
  'repair', // a repair round
  'outline_fitted', // the outline was fitted to a hand-edited script
  'script_imported', // the person's own script was read
  'missing_packages', // the design or script needs packages the environment lacks
  'answer_refused', // a model answer was refused
  'checks_revised', // the smoke checks were revised
] as const satisfies readonly string[];
export type EventType = (typeof EVENT_TYPES)[number];
