/**
 * The pure step planner: what one step commits, given the session row, its state before the step
 * and the stage's (or gate's) outcome. The runner supplies the facts it read from the store
 * (script versions) and commits the returned StepCommit in one transaction. No I/O.
 */
import type { SessionRow, StepCommit } from '../store/types.js';
import { stateProblem } from './broken.js';
import { closeButtons, trackButtons } from './buttons.js';
import type { GateOutcome, HumanInput } from './gate-outcome.js';
import { nextStage, STAGE_LABELS, statusOf } from './machine.js';
import { statusEndLine, versionDiffDraft } from './messages.js';
import { toPayload } from './outbox-payload.js';
import { outlineProblems, type RunRules } from './rules.js';
import { diffScripts, diffStats } from './script.js';
import { channelKeyOf } from './thread-key.js';
import type { Draft, SessionState, StageName, StageOutcome, WorkingStage } from './types.js';
import { isWorkingStage, sessionStateSchema } from './types.js';

/** What the planner needs besides the row, the state and the outcome. */
export interface StepFacts {
  /** Who acted: `bot` for a stage's own step, else the person's qualified id. */
  actor: string;
  /** The person's input and display name (closes the buttons they answered). */
  answer?: { input: HumanInput; by: string } | undefined;
  /** The platform event behind the step (its dedupe row commits with it). */
  inbound?: StepCommit['inbound'] | undefined;
  /** Script versions stored so far, and the newest one's code ('' when none). */
  versions: { count: number; lastCode: string };
}

/** The key of a working stage's single status message. */
export function statusKey(stage: WorkingStage, state: SessionState): string {
  return `status:${stage}:${state.stageStep}`;
}

/**
 * The commit of one step: the transition (stage, status, state with step counters), the edits that
 * close answered buttons and the left stage's status message, a new script version (and its diff
 * message), the run row, the events and the outbox rows (channel messages to the channel's key).
 * @throws Error for a result the transition table does not allow (a bug in a stage).
 */
export function planStep(
  row: Pick<SessionRow, 'id' | 'stage' | 'threadKey'>,
  before: SessionState,
  outcome: StageOutcome,
  facts: StepFacts,
): StepCommit {
  const current = row.stage as StageName;
  const state: SessionState = { ...outcome.state, step: before.step + 1 };
  if (outcome.result === 'pause_budget' || outcome.result === 'pause_invalid') {
    if (isWorkingStage(current)) state.paused = { stage: current, reason: state.paused?.reason ?? '' };
  }
  const next = nextStage(current, outcome.result, before);
  const moved = next !== current;
  if (moved) state.stageStep = state.step;
  const step: StepCommit = {
    patch: { stage: next, status: statusOf(next), state },
    ...(facts.inbound ? { inbound: facts.inbound } : {}),
  };
  const messages: Draft[] = [];
  let open = before.openButtons;
  if (facts.answer) {
    const { input, by } = facts.answer;
    const closed = closeButtons(open, input, by, moved, outcome.result === 'cancel');
    messages.push(...closed.edits);
    open = closed.open;
  }
  if (isWorkingStage(current) && moved) {
    // Close this stage's status message, if one was posted.
    const key = statusKey(current, before);
    const text = statusEndLine(STAGE_LABELS[current], outcome.result);
    messages.push({ key, replaces: key, text, finalises: true });
  }
  let versions = facts.versions.count;
  if (outcome.scriptReason) {
    const previous = facts.versions.lastCode;
    versions += 1;
    const diff =
      previous === ''
        ? ''
        : diffScripts(previous, state.code, `v${versions - 1}/script.py`, `v${versions}/script.py`);
    step.scriptVersion = { reason: outcome.scriptReason, code: state.code, diff };
    state.versions = versions;
    if (
      diff &&
      (current === 'repair' || current === 'change' || outcome.scriptReason.startsWith('edited by '))
    ) {
      const { added, removed } = diffStats(diff);
      messages.push(versionDiffDraft(versions, outcome.scriptReason, diff, added, removed));
    }
  }
  const tracked = trackButtons(outcome.messages ?? [], state.step, open);
  messages.push(...tracked.drafts);
  state.openButtons = tracked.open;
  if (outcome.run) step.run = { version: Math.max(1, versions), ...outcome.run };
  step.events = [
    ...(outcome.events ?? []).map((e) => ({ ...e, actor: facts.actor })),
    { type: 'stage_done', actor: facts.actor, data: { from: current, to: next, result: outcome.result } },
  ];
  step.outbox = messages.map((draft) => {
    const payload = toPayload(draft, row.id);
    if (draft.finalises) payload.replaceOnly = true;
    return {
      threadKey: draft.toChannel ? channelKeyOf(row.threadKey) : row.threadKey,
      payload,
      ...(draft.key ? { key: draft.key } : {}),
    };
  });
  return step;
}

/** A gate's advance as a step outcome, with the input recorded as an event. */
export function gateOutcome(
  gate: Extract<GateOutcome, { kind: 'advance' }>,
  input: HumanInput,
): StageOutcome {
  return {
    result: gate.result,
    state: gate.state,
    ...(gate.messages ? { messages: gate.messages } : {}),
    ...(gate.scriptReason ? { scriptReason: gate.scriptReason } : {}),
    events: [{ type: `input_${input.kind}`, data: describeInput(input) }],
  };
}

/** Why a stage's outcome must not be stored, or null when it may. */
export function refuseOutcome(outcome: StageOutcome, before: SessionState, rules: RunRules): string | null {
  const parsed = sessionStateSchema.safeParse(outcome.state);
  if (!parsed.success) return `an answer did not fit the session (${stateProblem(parsed.error)})`;
  const outline = parsed.data.outline;
  if (outline && JSON.stringify(outline) !== JSON.stringify(before.outline)) {
    const problems = outlineProblems(outline, rules);
    if (problems.length > 0) return `the changed outline was refused (${problems[0]})`;
  }
  return null;
}

export function describeInput(input: HumanInput): unknown {
  switch (input.kind) {
    case 'message':
      return { text: input.text };
    case 'action':
      return { action: input.action, value: input.value };
    case 'file':
      return { name: input.name, bytes: input.size, blobId: input.blobId };
  }
}
