import { askChecked, InvalidAnswerError } from '../answers.js';
import { baseNote, withBaseOutline } from '../base.js';
import type { Stage, StageContext } from '../context.js';
import { buildOutlineMessages, buildReviseOutlineMessages, outlineAnswerSchema } from '../prompts/outline.js';
import { DEFAULT_RUN_RULES, outlineProblems, tidyOutline } from '../rules.js';
import type { Draft, Outline, SessionState } from '../types.js';
import { environmentOf, outlineGate } from './packages.js';
import { promptEnv } from './shared.js';

/**
 * Asks for an outline and checks it (names, duplicates, smoke checks against the run rules);
 * a refused one is asked again once with the reasons, then the stage pauses.
 */
async function askOutline(
  ctx: StageContext,
  name: string,
  messages: ReturnType<typeof buildOutlineMessages>,
): Promise<Outline> {
  const rules = ctx.runRules ?? DEFAULT_RUN_RULES;
  const answer = await askChecked(
    ctx,
    name,
    messages,
    outlineAnswerSchema,
    (outline) => outlineProblems(outline, rules),
    { maxTokens: 3000 },
  );
  if (answer.problems.length > 0)
    throw new InvalidAnswerError(`the model's outline was refused twice (${answer.problems[0]})`);
  return tidyOutline(answer.value);
}

/**
 * One call → the refined spec and structured outline, its imports checked against the script
 * environment at once: shown with Approve / Edit / Cancel, or with the package choices first.
 */
export const outlineStage: Stage = {
  async run(ctx) {
    ctx.progress('designing the script');
    const { questions, answers } = ctx.state;
    const env = await environmentOf(ctx);
    const outline = await askOutline(
      ctx,
      'outline',
      withBaseOutline(
        buildOutlineMessages(ctx.goal, questions, answers, promptEnv(ctx, env)),
        ctx.state.base,
      ),
    );
    const gate = outlineGate(ctx, outline, false, env);
    return {
      result: 'ok',
      state: { ...ctx.state, outline, ...gate.patch },
      messages: [noted(gate.draft, ctx.state, outline)],
    };
  },
};

/** One call per edit in words (functions, flow or smoke checks); an empty edit (the "Check again" button) only re-checks the packages. */
export const reviseOutlineStage: Stage = {
  async run(ctx) {
    const current = ctx.state.outline;
    if (!current) throw new Error('revise_outline without an outline');
    const env = await environmentOf(ctx);
    const edit = ctx.state.feedback.trim();
    ctx.progress(edit ? 'revising the outline' : 'checking the script environment');
    const outline = edit
      ? await askOutline(
          ctx,
          'revise',
          buildReviseOutlineMessages(ctx.goal, current, edit, promptEnv(ctx, env)),
        )
      : current;
    const gate = outlineGate(ctx, outline, true, env);
    return {
      result: 'ok',
      state: { ...ctx.state, outline, feedback: '', ...gate.patch },
      messages: [noted(gate.draft, ctx.state, outline)],
    };
  },
};

/** The gate draft with the line saying which sections come from the template or the person's script. */
function noted(draft: Draft, state: SessionState, outline: Outline): Draft {
  const note = baseNote(state.base, outline);
  return note ? { ...draft, text: `${note}\n\n${draft.text}` } : draft;
}
