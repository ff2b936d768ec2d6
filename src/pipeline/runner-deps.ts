/**
 * What the runner is given (its edges and settings) and the store facts it reads for a stage.
 */
import type { Logger } from '../logger.js';
import type { SessionStore, StepCommit } from '../store/types.js';
import type { SessionFacts, Stage, StageDeps } from './context.js';
import type { GateOptions } from './gate-outcome.js';
import type { StartFrom } from './start-from.js';
import type { WorkingStage } from './types.js';

export interface RunnerDeps extends StageDeps {
  store: SessionStore;
  logger: Logger;
  /** Epoch ms (status throttling). */
  now: () => number;
  /** Minimum ms between two progress edits of one status message. Default 2,000. */
  progressIntervalMs?: number;
  /** Qualified ids in FF2_APPROVERS (gates offer them a little more, e.g. package requests). */
  approvers?: readonly string[];
  /** Extra budgets approvers may grant per session (FF2_MAX_BUDGET_CONTINUES). Default unlimited. */
  maxBudgetContinues?: number;
  /** Stage implementations (tests may swap one). */
  stages?: Record<WorkingStage, Stage>;
}

export interface NewSessionInput {
  id: string;
  threadKey: string;
  platform: string;
  ownerId: string;
  goal: string;
  /** A template or the person's script to start from (pipeline/start-from.ts). */
  start?: StartFrom | undefined;
}

/** A platform event id whose dedupe row commits with the step it causes. */
export type InboundRef = NonNullable<StepCommit['inbound']>;

/** Default minimum ms between two edits of one status message (chat platforms rate-limit edits). */
export const PROGRESS_INTERVAL_MS = 2000;

/** Facts from the store a stage may read (stages never touch the store). */
export function sessionFacts(store: SessionStore, sessionId: string): SessionFacts {
  return {
    usage: store.usageTotals(sessionId),
    firstCode: store.listScriptVersions(sessionId)[0]?.code ?? '',
    runLog: store
      .listRuns(sessionId)
      .map(
        (r, i) =>
          `run ${i + 1} · version ${r.version} · ${r.status} · exit ${r.exitCode ?? '-'} · ${r.durationMs} ms`,
      ),
  };
}

/** The gates' options for one person's input. */
export function gateOptions(
  deps: RunnerDeps,
  who: { actor: string; actorName: string; approver: boolean; goal: string },
): GateOptions {
  return {
    maxRepairs: deps.maxRepairs,
    ...who,
    ...(deps.files ? { files: deps.files } : {}),
    ...(deps.maxBudgetContinues !== undefined ? { maxBudgetContinues: deps.maxBudgetContinues } : {}),
  };
}
