/**
 * Advances sessions one step at a time: load the session → run its stage (or apply a person's
 * input) → commit the outcome in ONE store transaction (state, stage, script version, run,
 * events, outgoing messages). Nothing is posted directly: messages go to the outbox in the same
 * commit, so a crash before the commit re-runs the step (replaying recorded model answers) and a
 * crash after it never re-runs it. Callers serialise steps per session (router).
 */
import { randomBytes } from 'node:crypto';
import { AppError, StaleSessionError } from '../errors.js';
import { isLlmError } from '../llm/types.js';
import type { Logger } from '../logger.js';
import type { SessionRow, SessionStore, StepCommit } from '../store/types.js';
import { InvalidAnswerError } from './answers.js';
import { type BrokenEnd, endBrokenSession, stateProblem } from './broken.js';
import { closeButtons, trackButtons } from './buttons.js';
import { makeAsk, type SessionFacts, type Stage, type StageContext, type StageDeps } from './context.js';
import { isCancelText } from './feedback.js';
import { type GateOutcome, type HumanInput, handleInput } from './gates.js';
import { nextStage, STAGE_LABELS, statusOf } from './machine.js';
import { toPayload } from './outbox-payload.js';
import { pauseOutcome } from './pause.js';
import { DEFAULT_RUN_RULES, outlineProblems, type RunRules } from './rules.js';
import { diffScripts, diffStats } from './script.js';
import { STAGES } from './stages/index.js';
import { type StartFrom, startPlan } from './start-from.js';
import {
  type Draft,
  initialState,
  isWorkingStage,
  type SessionState,
  type StageName,
  type StageOutcome,
  sessionStateSchema,
  type WorkingStage,
} from './types.js';

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
            payload: toPayload(
              {
                title: 'New ff2 session',
                text: `Goal: ${input.goal}\n${plan.line ? `${plan.line}\n` : ''}I'll ask a few questions if needed, then propose an outline. Say "cancel" at any time.`,
              },
              input.id,
            ),
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
      facts: this.#facts(sessionId),
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
      return this.#commit(row, state, outcome, 'bot');
    } catch (error) {
      if (error instanceof StaleSessionError) throw error;
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
    if (!row) return { reply: 'This session no longer exists.' };
    if (row.status === 'failed' || row.status === 'cancelled')
      return { reply: 'This session has ended. Start a new one with a goal.' };
    const parsed = sessionStateSchema.safeParse(row.state);
    if (!parsed.success) {
      // Unreadable state: cancel still cancels; anything else ends the session once, reported.
      const cancel =
        (input.kind === 'action' && input.action === 'cancel') ||
        (input.kind === 'message' && isCancelText(input.text));
      return {
        row: this.#endBroken(row, stateProblem(parsed.error), cancel ? 'cancelled' : 'failed', actor),
      };
    }
    const state = parsed.data;
    const gate: GateOutcome = handleInput(row.stage as StageName, state, input, {
      maxRepairs: this.#deps.maxRepairs,
      actor,
      approver,
      ...(this.#deps.files ? { files: this.#deps.files } : {}),
      ...(this.#deps.maxBudgetContinues !== undefined
        ? { maxBudgetContinues: this.#deps.maxBudgetContinues }
        : {}),
      actorName,
      goal: row.goal,
    });
    if (gate.kind === 'reply') return { reply: gate.text };
    const fits = sessionStateSchema.safeParse(gate.state);
    if (!fits.success) return { reply: `That cannot be applied: ${stateProblem(fits.error)}.` };
    const outcome: StageOutcome = {
      result: gate.result,
      state: gate.state,
      ...(gate.messages ? { messages: gate.messages } : {}),
      ...(gate.scriptReason ? { scriptReason: gate.scriptReason } : {}),
      events: [{ type: `input_${input.kind}`, data: describeInput(input) }],
    };
    return { row: this.#commit(row, state, outcome, actor, { input, by: actorName }, inbound) };
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

  #commit(
    row: SessionRow,
    before: SessionState,
    outcome: StageOutcome,
    actor: string,
    answer?: { input: HumanInput; by: string },
    inbound?: InboundRef,
  ): SessionRow {
    const { store } = this.#deps;
    const current = row.stage as StageName;
    const state: SessionState = { ...outcome.state, step: before.step + 1 };
    if (outcome.result === 'pause_budget' || outcome.result === 'pause_invalid') {
      if (isWorkingStage(current)) state.paused = { stage: current, reason: state.paused?.reason ?? '' };
    }
    const next = nextStage(current, outcome.result, before);
    if (next !== current) state.stageStep = state.step;
    const step: StepCommit = {
      patch: { stage: next, status: statusOf(next), state },
      ...(inbound ? { inbound } : {}),
    };
    const messages: Draft[] = [];
    let open = before.openButtons;
    if (answer) {
      const closed = closeButtons(
        open,
        answer.input,
        answer.by,
        next !== current,
        outcome.result === 'cancel',
      );
      messages.push(...closed.edits);
      open = closed.open;
    }
    if (isWorkingStage(current) && next !== current) {
      // Close this stage's status message, if one was posted.
      const key = statusKey(current, before);
      const end =
        outcome.result === 'cancel'
          ? '✗ cancelled'
          : outcome.result.startsWith('pause_')
            ? '⏸ paused'
            : '✓ done';
      messages.push({ key, replaces: key, text: `${STAGE_LABELS[current]}: ${end}`, finalises: true });
    }
    if (outcome.scriptReason) {
      const versions = store.listScriptVersions(row.id);
      const previous = versions[versions.length - 1]?.code ?? '';
      const number = versions.length + 1;
      const diff =
        previous === ''
          ? ''
          : diffScripts(previous, state.code, `v${number - 1}/script.py`, `v${number}/script.py`);
      step.scriptVersion = { reason: outcome.scriptReason, code: state.code, diff };
      state.versions = number;
      if (
        diff &&
        (current === 'repair' || current === 'change' || outcome.scriptReason.startsWith('edited by '))
      ) {
        const { added, removed } = diffStats(diff);
        messages.push({
          text: `Version ${number} (${outcome.scriptReason}): +${added} −${removed} lines.`,
          files: [{ name: `v${number}.diff`, text: diff }],
        });
      }
    }
    const tracked = trackButtons(outcome.messages ?? [], state.step, open);
    messages.push(...tracked.drafts);
    state.openButtons = tracked.open;
    if (outcome.run) {
      const versions = store.listScriptVersions(row.id).length + (step.scriptVersion ? 1 : 0);
      step.run = { version: Math.max(1, versions), ...outcome.run };
    }
    step.events = [
      ...(outcome.events ?? []).map((e) => ({ ...e, actor })),
      { type: 'stage_done', actor, data: { from: current, to: next, result: outcome.result } },
    ];
    const channelKey = row.threadKey.slice(0, row.threadKey.indexOf(':', row.threadKey.indexOf(':') + 1) + 1);
    step.outbox = messages.map((draft) => {
      const payload = toPayload(draft, row.id);
      if (draft.finalises) payload.replaceOnly = true;
      return {
        threadKey: draft.toChannel ? channelKey : row.threadKey,
        payload,
        ...(draft.key ? { key: draft.key } : {}),
      };
    });
    const committed = store.commit(row.id, row.version, step);
    if (next !== current) this.#lastProgress.delete(row.id);
    this.#deps.logger.debug('step committed', { sessionId: row.id, from: current, to: next });
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
      const usage = store.usageTotals(row.id);
      const cost = usage.costUsd > 0 ? `, $${usage.costUsd.toFixed(4)}` : '';
      const line = `⏳ ${STAGE_LABELS[stage]}: ${text} · ${usage.calls} model calls, ${usage.promptTokens + usage.completionTokens} tokens${cost}`;
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

  #facts(sessionId: string): SessionFacts {
    const { store } = this.#deps;
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
}

function statusKey(stage: WorkingStage, state: SessionState): string {
  return `status:${stage}:${state.stageStep}`;
}

/** Why a stage's outcome must not be stored, or null when it may. */
function refuseOutcome(outcome: StageOutcome, before: SessionState, rules: RunRules): string | null {
  const parsed = sessionStateSchema.safeParse(outcome.state);
  if (!parsed.success) return `an answer did not fit the session (${stateProblem(parsed.error)})`;
  const outline = parsed.data.outline;
  if (outline && JSON.stringify(outline) !== JSON.stringify(before.outline)) {
    const problems = outlineProblems(outline, rules);
    if (problems.length > 0) return `the changed outline was refused (${problems[0]})`;
  }
  return null;
}

function describeInput(input: HumanInput): unknown {
  switch (input.kind) {
    case 'message':
      return { text: input.text };
    case 'action':
      return { action: input.action, value: input.value };
    case 'file':
      return { name: input.name, bytes: input.size, blobId: input.blobId };
  }
}
