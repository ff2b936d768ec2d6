import { askChecked, InvalidAnswerError } from '../answers.js';
import type { Stage, StageContext } from '../context.js';
import { outlineDraft } from '../messages.js';
import { buildOutlineMessages, buildReviseOutlineMessages, outlineAnswerSchema } from '../prompts/outline.js';
import { DEFAULT_RUN_RULES, outlineProblems, tidyOutline } from '../rules.js';
import type { Outline } from '../types.js';
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

/** One call → the refined spec and structured outline, shown with Approve / Edit / Cancel. */
export const outlineStage: Stage = {
  async run(ctx) {
    ctx.progress('designing the script');
    const { questions, answers } = ctx.state;
    const outline = await askOutline(
      ctx,
      'outline',
      buildOutlineMessages(ctx.goal, questions, answers, promptEnv(ctx)),
    );
    return { result: 'ok', state: { ...ctx.state, outline }, messages: [outlineDraft(outline, false)] };
  },
};

/** One call per edit in words (functions, flow or smoke checks). */
export const reviseOutlineStage: Stage = {
  async run(ctx) {
    const current = ctx.state.outline;
    if (!current) throw new Error('revise_outline without an outline');
    ctx.progress('revising the outline');
    const outline = await askOutline(
      ctx,
      'revise',
      buildReviseOutlineMessages(ctx.goal, current, ctx.state.feedback, promptEnv(ctx)),
    );
    return {
      result: 'ok',
      state: { ...ctx.state, outline, feedback: '' },
      messages: [outlineDraft(outline, true)],
    };
  },
};
