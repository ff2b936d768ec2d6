/**
 * Where an attempt stopped and why: from how the session ended (drive.ts), its final stage and
 * state, and the hidden check verdicts. Pure.
 */
import type { CheckVerdict } from './checks.js';
import type { DriveEnd } from './drive.js';
import type { AttemptResult } from './types.js';

/** The working stage that leads to each waiting stage (where a stop there is attributed). */
const STAGE_OF_GATE: Record<string, string> = {
  answer_questions: 'interview',
  approve_outline: 'outline',
  approve_run: 'qa',
  give_feedback: 'run',
  after_repairs: 'repair',
  confirm_feedback: 'change',
  budget_paused: 'budget',
};

/** Stage names folded into the pipeline's stages as the report groups them. */
const FOLD: Record<string, string> = { revise_outline: 'outline', change: 'change' };

export function attribute(
  end: Pick<DriveEnd, 'kind' | 'reason' | 'session'>,
  checks: readonly CheckVerdict[],
  /** The `from` of the session's last stage_done event (for cancelled/failed sessions). */
  lastStage?: string,
): Pick<AttemptResult, 'outcome' | 'passed' | 'stoppedAt' | 'reason'> {
  if (end.kind === 'shipped') {
    const failed = checks.find((c) => !c.passed);
    if (checks.length > 0 && !failed)
      return { outcome: 'passed', passed: true, stoppedAt: 'shipped', reason: '' };
    return {
      outcome: 'failed',
      passed: false,
      stoppedAt: 'hidden_checks',
      reason: failed ? `${failed.name}: ${failed.why}` : 'no script version to check',
    };
  }
  if (end.kind === 'timeout')
    return { outcome: 'failed', passed: false, stoppedAt: 'timeout', reason: end.reason };
  const session = end.session;
  if (!session)
    return {
      outcome: 'failed',
      passed: false,
      stoppedAt: 'interview',
      reason: end.reason || 'no session started',
    };
  const state = (session.state ?? {}) as {
    paused?: { stage?: string; reason?: string } | null;
    lastRun?: { problem?: string } | null;
    note?: string;
  };
  let stage: string;
  let reason = end.reason;
  if (session.stage === 'retry_paused') {
    stage = state.paused?.stage ?? 'unknown';
    reason = state.paused?.reason || reason;
  } else if (session.stage === 'budget_paused') {
    stage = 'budget';
    reason = state.paused?.reason || reason;
  } else if (session.stage === 'cancelled' || session.stage === 'failed') {
    stage = lastStage ?? session.stage;
    reason = state.note || reason;
  } else {
    stage = STAGE_OF_GATE[session.stage] ?? session.stage;
    if ((stage === 'run' || stage === 'repair') && state.lastRun?.problem)
      reason = `${reason}; last run: ${state.lastRun.problem}`;
  }
  return { outcome: 'failed', passed: false, stoppedAt: FOLD[stage] ?? stage, reason };
}
