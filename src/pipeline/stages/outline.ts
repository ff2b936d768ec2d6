import type { Stage } from '../context.js';
import { outlineDraft } from '../messages.js';
import { buildOutlineMessages, buildReviseOutlineMessages, outlineAnswerSchema } from '../prompts/outline.js';

/** One call → the refined spec and structured outline, shown with Approve / Edit / Cancel. */
export const outlineStage: Stage = {
  async run(ctx) {
    ctx.progress('designing the script');
    const { questions, answers } = ctx.state;
    const outline = await ctx.ask(
      'outline',
      buildOutlineMessages(ctx.goal, questions, answers),
      outlineAnswerSchema,
      {
        maxTokens: 3000,
      },
    );
    return { result: 'ok', state: { ...ctx.state, outline }, messages: [outlineDraft(outline, false)] };
  },
};

/** One call per edit in words. */
export const reviseOutlineStage: Stage = {
  async run(ctx) {
    const current = ctx.state.outline;
    if (!current) throw new Error('revise_outline without an outline');
    ctx.progress('revising the outline');
    const outline = await ctx.ask(
      'revise',
      buildReviseOutlineMessages(ctx.goal, current, ctx.state.feedback),
      outlineAnswerSchema,
      { maxTokens: 3000 },
    );
    return {
      result: 'ok',
      state: { ...ctx.state, outline, feedback: '' },
      messages: [outlineDraft(outline, true)],
    };
  },
};
