/**
 * The transition table: for each stage, the results it can end with and the stage each leads to.
 * Data, not control flow. Four results work from any live stage: `cancel`, `pause_budget`,
 * `pause_invalid` (both pause and remember where to resume) and `resume` (back to that stage).
 */
import type { SessionStatus } from '../store/types.js';
import {
  isWaitingStage,
  isWorkingStage,
  type SessionState,
  type StageName,
  type WorkingStage,
} from './types.js';

export const TRANSITIONS = {
  import_script: { ok: 'approve_outline' },
  interview: { questions: 'answer_questions', clear: 'outline' },
  answer_questions: { answered: 'outline', own_script: 'import_script' },
  outline: { ok: 'approve_outline', refused: 'failed' },
  revise_outline: { ok: 'approve_outline' },
  approve_outline: {
    approved: 'generate',
    edit: 'revise_outline',
    own_script: 'import_script',
    user_edit: 'qa',
  },
  generate: { more: 'generate', done: 'review' },
  review: { ok: 'qa' },
  qa: { more: 'qa', to_approval: 'approve_run', to_run: 'run', packages: 'approve_outline' },
  approve_run: { run: 'run', change: 'change', user_edit: 'qa' },
  run: {
    passed: 'give_feedback',
    failed: 'repair',
    exhausted: 'after_repairs',
    check_mismatch: 'check_or_script',
  },
  repair: { ok: 'qa', exhausted: 'after_repairs', packages: 'approve_outline' },
  give_feedback: {
    ship: 'ship',
    run_again: 'run',
    change: 'change',
    unsure: 'confirm_feedback',
    user_edit: 'qa',
  },
  confirm_feedback: { ship: 'ship', change: 'change', user_edit: 'qa' },
  after_repairs: {
    repair: 'repair',
    change: 'change',
    user_edit: 'qa',
    ship: 'ship',
    fix_checks: 'revise_checks',
  },
  check_or_script: { repair: 'repair', fix_checks: 'revise_checks', change: 'change', user_edit: 'qa' },
  revise_checks: { ok: 'run' },
  change: { ok: 'qa', unclear: 'give_feedback' },
  ship: { ok: 'shipped' },
  shipped: { reopen: 'give_feedback', change: 'change', user_edit: 'qa' },
  budget_paused: {},
  retry_paused: {},
  cancelled: {},
  failed: {},
} as const satisfies Record<StageName, Record<string, StageName>>;

/** Results valid from every live (not final) stage; `stay` keeps the stage (a partial answer). */
export type UniversalResult = 'stay' | 'cancel' | 'pause_budget' | 'pause_invalid' | 'resume';

/** Every result a stage or gate may end a step with: an edge of TRANSITIONS, or a universal one. */
export type StageResult = { [S in StageName]: keyof (typeof TRANSITIONS)[S] }[StageName] | UniversalResult;

/**
 * The stage after `current` ends with `result`.
 * @throws Error for a result the table does not allow from `current` (a bug in a stage).
 */
export function nextStage(current: StageName, result: StageResult, state: SessionState): StageName {
  if (result === 'stay') return current;
  if (result === 'cancel') return 'cancelled';
  if (result === 'pause_budget') return 'budget_paused';
  if (result === 'pause_invalid') return 'retry_paused';
  if (result === 'resume') {
    if (!state.paused) throw new Error(`resume from ${current} without a paused stage`);
    return state.paused.stage;
  }
  const edges: Record<string, StageName> = TRANSITIONS[current];
  const next = edges[result];
  if (!next) throw new Error(`no transition from ${current} on ${result}`);
  return next;
}

/** The stored status of a stage. */
export function statusOf(stage: StageName): SessionStatus {
  if (isWorkingStage(stage)) return 'working';
  if (isWaitingStage(stage)) return 'waiting';
  if (stage === 'shipped') return 'done';
  return stage === 'cancelled' ? 'cancelled' : 'failed';
}

/** Human-readable name of a working stage, for status messages. */
export const STAGE_LABELS = {
  import_script: 'Reading your script',
  interview: 'Reading the goal',
  outline: 'Writing the outline',
  revise_outline: 'Revising the outline',
  generate: 'Writing the code',
  review: 'Reviewing the script',
  qa: 'Checking the script',
  run: 'Running the script',
  repair: 'Repairing',
  change: 'Applying your change',
  revise_checks: 'Revising the checks',
  ship: 'Shipping',
} as const satisfies Record<WorkingStage, string>;
