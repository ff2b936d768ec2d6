import { baseNote, withBaseOutline } from '../base.js';
import type { Stage } from '../context.js';
import { environmentBlock } from '../packages.js';
import { buildOutlineMessages, buildReviseOutlineMessages, outlineAnswerSchema } from '../prompts/outline.js';
import type { Draft, Outline, SessionState } from '../types.js';
import { environmentOf, outlineGate } from './packages.js';

/**
 * One call → the refined spec and structured outline, its imports checked against the script
 * environment at once: shown with Approve / Edit / Cancel, or with the package choices first.
 */
export const outlineStage: Stage = {
  async run(ctx) {
    ctx.progress('designing the script');
    const { questions, answers } = ctx.state;
    const env = await environmentOf(ctx);
    const outline = await ctx.ask(
      'outline',
      withBaseOutline(
        buildOutlineMessages(ctx.goal, questions, answers, env ? environmentBlock(env) : undefined),
        ctx.state.base,
      ),
      outlineAnswerSchema,
      {
        maxTokens: 3000,
      },
    );
    const gate = outlineGate(ctx, outline, false, env);
    return {
      result: 'ok',
      state: { ...ctx.state, outline, ...gate.patch },
      messages: [noted(gate.draft, ctx.state, outline)],
    };
  },
};

/** One call per edit in words; an empty edit (the "Check again" button) only re-checks the packages. */
export const reviseOutlineStage: Stage = {
  async run(ctx) {
    const current = ctx.state.outline;
    if (!current) throw new Error('revise_outline without an outline');
    const env = await environmentOf(ctx);
    const edit = ctx.state.feedback.trim();
    ctx.progress(edit ? 'revising the outline' : 'checking the script environment');
    const outline = edit
      ? await ctx.ask(
          'revise',
          buildReviseOutlineMessages(ctx.goal, current, edit, env ? environmentBlock(env) : undefined),
          outlineAnswerSchema,
          { maxTokens: 3000 },
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
