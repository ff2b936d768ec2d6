/**
 * Advances sessions one step at a time: load the session → run its stage (or apply a person's
 * input) → commit the outcome in ONE store transaction (state, stage, script version, run,
 * events, outgoing messages). Nothing is posted directly: messages go to the outbox in the same
 * commit, so a crash before the commit re-runs the step (replaying recorded model answers) and a
 * crash after it never re-runs it. Callers serialise steps per session (router).
 */
import { randomBytes } from 'node:crypto';
import { AppError, StaleSessionError, StoreError } from '../errors.js';
import { isLlmError } from '../llm/types.js';
import type { SessionRow } from '../store/types.js';
import { InvalidAnswerError } from './answers.js';
import { type BrokenEnd, endBrokenSession, stateProblem } from './broken.js';
import { makeAsk, type Stage, type StageContext } from './context.js';
import { type HumanInput, isCancelInput } from './gate-outcome.js';
import { handleInput } from './gates.js';
import { STAGE_LABELS } from './machine.js';
import { cannotApply, newSessionDraft, progressLine, REPLIES } from './messages.js';
import { toPayload } from './outbox-payload.js';
import { pauseOutcome } from './pause.js';
import { DEFAULT_RUN_RULES } from './rules.js';
import {
  gateOptions,
  type InboundRef,
  type NewSessionInput,
  PROGRESS_INTERVAL_MS,
  type RunnerDeps,
  sessionFacts,
} from './runner-deps.js';
import { STAGES } from './stages/index.js';
import { startPlan } from './start-from.js';
import { gateOutcome, planStep, refuseOutcome, type StepFacts, statusKey } from './step-plan.js';
import type { SessionState, StageName, StageOutcome, WorkingStage } from './types.js';
import { initialState, isWorkingStage, sessionStateSchema } from './types.js';

/** Longest goal accepted, in characters. */
export const MAX_GOAL_CHARS = 4000;

export class PipelineRunner {
  readonly #deps: RunnerDeps;
  readonly #stages: Record<WorkingStage, Stage>;
  readonly #lastProgress = new Map<string, number>();

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
    this.#stages = deps.stages ?? STAGES;
  }

  /**
   * Creates a session at `interview` (working) with its acknowledgement queued; with `inbound`,
   * the request's dedupe row is written in the same transaction.
   */
  create({ start, ...input }: NewSessionInput, inbound?: InboundRef): SessionRow {
    const plan = startPlan(start);
    const state = { ...initialState(), ...plan.patch };
    return this.#deps.store.createSession(
      { ...input, stage: plan.stage, status: 'working', state },
      {
        ...(inbound ? { inbound } : {}),
        events: [{ type: 'goal', actor: input.ownerId, data: { goal: input.goal } }],
        outbox: [
          {
            threadKey: input.threadKey,
            payload: toPayload(newSessionDraft(input.goal, plan.line), input.id),
          },
        ],
      },
    );
  }

  /**
   * Runs one step of a working session and commits it. Returns the committed row, or undefined
   * when the session is not working or the step was aborted (nothing committed).
   */
  async step(sessionId: string, signal: AbortSignal): Promise<SessionRow | undefined> {
    const { store, logger } = this.#deps;
    const row = store.getSession(sessionId);
    if (row?.status !== 'working' || !isWorkingStage(row.stage)) return undefined;
    const stageName = row.stage;
    const parsed = sessionStateSchema.safeParse(row.state);
    if (!parsed.success) return this.#endBroken(row, stateProblem(parsed.error), 'failed');
    const state = parsed.data;
    const ctx: StageContext = {
      ...this.#deps,
      sessionId,
      goal: row.goal,
      stage: stageName,
      state,
      signal,
      facts: sessionFacts(this.#deps.store, sessionId),
      ask: makeAsk(this.#deps, sessionId, stageName, state, signal),
      progress: (text) => this.#progress(row, stageName, state, text),
    };
    let outcome: StageOutcome;
    try {
      outcome = await this.#stages[stageName].run(ctx);
    } catch (error) {
      if (signal.aborted || (isLlmError(error) && error.kind === 'aborted')) return undefined;
      // A full wait line is not the stage's fault: commit nothing; the caller retries later.
      if (error instanceof AppError && error.code === 'busy') throw error;
      // The thread gets a short message and a reference; the detail (paths, stacks, SQL) goes to the log only.
      const ref = randomBytes(4).toString('hex');
      outcome = pauseOutcome(stageName, state, error, ref);
      logger.warn('stage paused', {
        ref,
        sessionId,
        stage: stageName,
        error: String(error),
        ...(error instanceof Error && !isLlmError(error) ? { stack: error.stack } : {}),
      });
    }
    if (signal.aborted) return undefined;
    const refused = refuseOutcome(outcome, state, this.#deps.runRules ?? DEFAULT_RUN_RULES);
    if (refused) {
      // An answer that would break the session (its schema, or an outline whose checks no longer
      // fit the rules) is refused before it is stored.
      logger.warn('stage outcome refused', { sessionId, stage: stageName, error: refused });
      outcome = pauseOutcome(stageName, state, new InvalidAnswerError(refused), '');
    }
    try {
      return this.#commit(row, state, outcome, { actor: 'bot' });
    } catch (error) {
      // Moved on elsewhere, or the database did not take it: nothing was stored; the caller decides.
      if (error instanceof StaleSessionError || error instanceof StoreError) throw error;
      return this.#endBroken(row, `step commit failed: ${String(error)}`, 'failed');
    }
  }

  /**
   * Applies a person's reply, click or file. Returns the committed row, or the text to answer
   * only that person (stale click, busy stage) when nothing changes.
   */
  applyInput(
    sessionId: string,
    input: HumanInput,
    actor: string,
    /** Display name for messages ("chosen by …"); the qualified id when absent. */
    actorName = actor,
    /** The actor is an approver (may grant more budget). Default true. */
    approver = true,
    /** The platform event behind the input: its dedupe row commits with the step. */
    inbound?: InboundRef,
  ): { row: SessionRow } | { reply: string } {
    const row = this.#deps.store.getSession(sessionId);
    if (!row) return { reply: REPLIES.gone };
    if (row.status === 'failed' || row.status === 'cancelled') return { reply: REPLIES.ended };
    const parsed = sessionStateSchema.safeParse(row.state);
    if (!parsed.success) {
      // Unreadable state: cancel still cancels; anything else ends the session once, reported.
      const end = isCancelInput(input) ? 'cancelled' : 'failed';
      return { row: this.#endBroken(row, stateProblem(parsed.error), end, actor) };
    }
    const state = parsed.data;
    const options = gateOptions(this.#deps, { actor, actorName, approver, goal: row.goal });
    const gate = handleInput(row.stage as StageName, state, input, options);
    if (gate.kind === 'reply') return { reply: gate.text };
    const fits = sessionStateSchema.safeParse(gate.state);
    if (!fits.success) return { reply: cannotApply(stateProblem(fits.error)) };
    const outcome = gateOutcome(gate, input);
    return { row: this.#commit(row, state, outcome, { actor, answer: { input, by: actorName }, inbound }) };
  }

  /** Ends a session whose state cannot be read or whose step cannot be committed (see broken.ts). */
  #endBroken(row: SessionRow, error: string, end: BrokenEnd, actor = 'bot'): SessionRow {
    const { store, logger } = this.#deps;
    logger.error('session ended after an internal error', { sessionId: row.id, error, end });
    const versions = store.listScriptVersions(row.id);
    const last = versions[versions.length - 1];
    this.#lastProgress.delete(row.id);
    return store.commit(row.id, row.version, endBrokenSession(row, error, last, end, actor));
  }

  /** Plans the step (step-plan.ts) and commits it in one transaction. */
  #commit(
    row: SessionRow,
    before: SessionState,
    outcome: StageOutcome,
    facts: Omit<StepFacts, 'versions'>,
  ): SessionRow {
    const { store } = this.#deps;
    const versions = store.listScriptVersions(row.id);
    const step = planStep(row, before, outcome, {
      ...facts,
      versions: { count: versions.length, lastCode: versions[versions.length - 1]?.code ?? '' },
    });
    const committed = store.commit(row.id, row.version, step);
    if (step.patch?.stage !== row.stage) this.#lastProgress.delete(row.id);
    this.#deps.logger.debug('step committed', { sessionId: row.id, from: row.stage, to: step.patch?.stage });
    return committed;
  }

  /** Best-effort, throttled edit of the stage's single status message (outside any step). */
  #progress(row: SessionRow, stage: WorkingStage, state: SessionState, text: string): void {
    const { store, now } = this.#deps;
    const key = statusKey(stage, state);
    const last = this.#lastProgress.get(row.id);
    const at = now();
    if (last !== undefined && at - last < (this.#deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS)) return;
    this.#lastProgress.set(row.id, at);
    try {
      const line = progressLine(STAGE_LABELS[stage], text, store.usageTotals(row.id));
      store.enqueue(row.id, [
        {
          threadKey: row.threadKey,
          key,
          payload: { ...toPayload({ text: line }, row.id), replacesKey: key },
        },
      ]);
    } catch (error) {
      this.#deps.logger.debug('progress update dropped', { sessionId: row.id, error: String(error) });
    }
  }
}
