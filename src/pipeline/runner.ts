/**
 * Advances sessions one step at a time: load the session → run its stage (or apply a person's
 * input) → commit the outcome in ONE store transaction (state, stage, script version, run,
 * events, outgoing messages). Nothing is posted directly: messages go to the outbox in the same
 * commit, so a crash before the commit re-runs the step (replaying recorded model answers) and a
 * crash after it never re-runs it. Callers serialise steps per session (router).
 */
import { isLlmError } from '../llm/types.js';
import type { Logger } from '../logger.js';
import type { SessionRow, SessionStore, StepCommit } from '../store/types.js';
import { closeButtons, trackButtons } from './buttons.js';
import { makeAsk, type SessionFacts, type Stage, type StageContext, type StageDeps } from './context.js';
import { type GateOutcome, type HumanInput, handleInput } from './gates.js';
import { nextStage, STAGE_LABELS, statusOf } from './machine.js';
import { CANCEL } from './messages.js';
import { toPayload } from './outbox-payload.js';
import { diffScripts, diffStats } from './script.js';
import { STAGES } from './stages/index.js';
import { type StartFrom, startPlan } from './start-from.js';
import {
  type Draft,
  initialState,
  isWorkingStage,
  parseState,
  type SessionState,
  type StageName,
  type StageOutcome,
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

  /** Creates a session at `interview` (working) with its acknowledgement queued. */
  create({ start, ...input }: NewSessionInput): SessionRow {
    const plan = startPlan(start);
    const state = { ...initialState(), ...plan.patch };
    return this.#deps.store.createSession(
      { ...input, stage: plan.stage, status: 'working', state },
      {
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
    const state = parseState(row.state);
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
      outcome = pauseOutcome(stageName, state, error);
      logger.warn('stage paused', { sessionId, stage: stageName, error: String(error) });
    }
    if (signal.aborted) return undefined;
    return this.#commit(row, state, outcome, 'bot');
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
  ): { row: SessionRow } | { reply: string } {
    const row = this.#deps.store.getSession(sessionId);
    if (!row) return { reply: 'This session no longer exists.' };
    const state = parseState(row.state);
    const gate: GateOutcome = handleInput(row.stage as StageName, state, input, {
      maxRepairs: this.#deps.maxRepairs,
      actor,
      actorName,
      goal: row.goal,
      approver: this.#deps.approvers?.includes(actor) ?? false,
    });
    if (gate.kind === 'reply') return { reply: gate.text };
    const outcome: StageOutcome = {
      result: gate.result,
      state: gate.state,
      ...(gate.messages ? { messages: gate.messages } : {}),
      ...(gate.scriptReason ? { scriptReason: gate.scriptReason } : {}),
      events: [{ type: `input_${input.kind}`, data: describeInput(input) }],
    };
    return { row: this.#commit(row, state, outcome, actor, { input, by: actorName }) };
  }

  #commit(
    row: SessionRow,
    before: SessionState,
    outcome: StageOutcome,
    actor: string,
    answer?: { input: HumanInput; by: string },
  ): SessionRow {
    const { store } = this.#deps;
    const current = row.stage as StageName;
    const state: SessionState = { ...outcome.state, step: before.step + 1 };
    if (outcome.result === 'pause_budget' || outcome.result === 'pause_invalid') {
      if (isWorkingStage(current)) state.paused = { stage: current, reason: state.paused?.reason ?? '' };
    }
    const next = nextStage(current, outcome.result, before);
    if (next !== current) state.stageStep = state.step;
    const step: StepCommit = { patch: { stage: next, status: statusOf(next), state } };
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

/** A stage that threw: pause and ask (Continue on budget, Retry otherwise), never a dead end. */
function pauseOutcome(stage: WorkingStage, state: SessionState, error: unknown): StageOutcome {
  const label = STAGE_LABELS[stage].toLowerCase();
  if (isLlmError(error) && error.kind === 'budget_exceeded') {
    return {
      result: 'pause_budget',
      state: { ...state, paused: { stage, reason: error.userMessage } },
      messages: [
        {
          title: 'Budget reached',
          text: `Paused while ${label}: ${error.userMessage}\nContinue grants this session another budget of the same size; or cancel.`,
          buttons: [[{ action: 'continue', label: 'Continue', style: 'primary' }, CANCEL]],
        },
      ],
    };
  }
  const why = isLlmError(error)
    ? error.kind === 'invalid_output'
      ? 'the model gave an unusable answer twice'
      : error.userMessage
    : error instanceof Error
      ? error.message
      : String(error);
  return {
    result: 'pause_invalid',
    state: { ...state, paused: { stage, reason: why } },
    messages: [
      {
        title: 'Stopped — needs a retry',
        text: `I stopped while ${label}: ${why}. Nothing was lost; Retry asks again.`,
        buttons: [[{ action: 'retry', label: 'Retry', style: 'primary' }, CANCEL]],
      },
    ],
    events: [{ type: 'stage_error', data: { stage, error: why } }],
  };
}

function describeInput(input: HumanInput): unknown {
  switch (input.kind) {
    case 'message':
      return { text: input.text };
    case 'action':
      return { action: input.action, value: input.value };
    case 'file':
      return { name: input.name, bytes: input.bytes.length };
  }
}
