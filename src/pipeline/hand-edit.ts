/**
 * Scripts a person hands over at a waiting gate: before any version exists, an attached .py is
 * their own script to start from (the import_script stage); afterwards it is a hand edit that
 * becomes the next version ("edited by …"), is checked by QA and has the outline fitted to its
 * sections first. Also the own-script outline gate, where Approve applies the goal. The gate
 * parts are pure; `fitOutlineOutcome` is QA's first step after a hand edit (no model call).
 */
import { fileRef, readStateFile, type StageContext } from './context.js';
import type { GateInput, GateOptions, GateOutcome, HumanInput } from './gate-outcome.js';
import { definitionChanges, outlineFromScript } from './script-outline.js';
import { analyseScript, listing } from './stages/shared.js';
import type { SessionState, StageName, StageOutcome } from './types.js';

/** Gates where a .py is taken as the new script at once (the others ask: script or input?). */
const DIRECT_EDIT: readonly StageName[] = ['approve_outline', 'confirm_feedback', 'shipped'];
/** Gates before any code exists, where a .py is the person's own script to start from. */
const BEFORE_CODE: readonly StageName[] = ['answer_questions', 'approve_outline'];

/** The next version from a person's file, reason "edited by <person>", QA to fit and check it. */
export function handEdit(state: SessionState, name: string, bytes: Uint8Array, by: string): GateOutcome {
  const number = state.versions + 1;
  return {
    kind: 'advance',
    result: 'user_edit',
    state: {
      ...state,
      code: new TextDecoder().decode(bytes),
      qaRound: 0,
      afterQa: 'approve_run',
      versions: number,
      awaitingInput: false,
      pendingFile: null,
      syncOutline: true,
    },
    scriptReason: `edited by ${by}`,
    messages: [{ text: `Took ${name} as version ${number}, edited by ${by}. Checking it…` }],
  };
}

/** A .py at a gate that takes it as a script directly; undefined leaves it to the gate's own rules. */
export function scriptFileAtGate(
  stage: StageName,
  state: SessionState,
  input: Extract<HumanInput, { kind: 'file' }>,
  options: GateOptions,
): GateOutcome | undefined {
  if (!input.name.toLowerCase().endsWith('.py')) return undefined;
  const before = BEFORE_CODE.includes(stage) && state.versions === 0 && !state.base;
  const direct = DIRECT_EDIT.includes(stage) && state.versions > 0;
  if (!before && !direct) return undefined;
  const bytes = readStateFile(fileRef(input.blobId), options.files);
  if (!bytes) return { kind: 'reply', text: `${input.name} is no longer stored; please attach it again.` };
  if (before) {
    const code = new TextDecoder().decode(bytes);
    return {
      kind: 'advance',
      result: 'own_script',
      state: {
        ...state,
        base: { kind: 'script', name: input.name, outline: null, code, goalPending: true },
      },
      messages: [{ text: `Starting from your script ${input.name} instead. Reading it (nothing runs yet)…` }],
    };
  }
  return handEdit(state, input.name, bytes, options.actorName ?? options.actor);
}

/**
 * The own-script outline gate: Approve applies the goal as the requested change (the outline is
 * revised, then shown again); a reply is applied together with the goal.
 */
export function pendingGoalInput(
  state: SessionState,
  input: GateInput,
  goal: string,
): GateOutcome | undefined {
  const base = state.base;
  if (!base?.goalPending) return undefined;
  const done = { ...state, base: { ...base, goalPending: false } };
  if (input.kind === 'action' && input.action === 'approve')
    return {
      kind: 'advance',
      result: 'edit',
      state: { ...done, feedback: goal },
      messages: [{ text: 'Applying your goal to the outline…' }],
    };
  if (input.kind === 'message')
    return { kind: 'advance', result: 'edit', state: { ...done, feedback: `${goal}\n${input.text}` } };
  return undefined;
}

/** QA's first step after a hand edit: the outline now describes the script's own sections. */
export async function fitOutlineOutcome(ctx: StageContext): Promise<StageOutcome> {
  const { analysis } = await analyseScript(ctx, ctx.state.code);
  const description = (await ctx.python.describe?.(ctx.state.code)) ?? { ok: false as const };
  const outline = outlineFromScript(analysis, description, ctx.state.outline, 'script.py');
  const { added, removed } = definitionChanges(ctx.state.outline, outline);
  const parts = [];
  if (added.length > 0) parts.push(`added ${listing(added)}`);
  if (removed.length > 0) parts.push(`removed ${listing(removed)}`);
  const text =
    parts.length > 0
      ? `Outline updated to match your script: ${parts.join('; ')}.`
      : "Outline updated to match your script's sections.";
  return {
    result: 'more',
    state: { ...ctx.state, outline, syncOutline: false },
    messages: [{ text }],
    events: [{ type: 'outline_fitted', data: { added, removed } }],
  };
}
