import { withBaseOutline } from '../base.js';
import type { Stage } from '../context.js';
import { questionDrafts } from '../messages.js';
import { buildInterviewMessages, interviewAnswerSchema } from '../prompts/interview.js';

/** One call → 0–5 questions with suggested answers and defaults; none when the goal is clear. */
export const interviewStage: Stage = {
  async run(ctx) {
    ctx.progress('reading the goal');
    const answer = await ctx.ask(
      'questions',
      withBaseOutline(buildInterviewMessages(ctx.goal), ctx.state.base),
      interviewAnswerSchema,
      {
        maxTokens: 1000,
      },
    );
    const state = { ...ctx.state, questions: answer.questions, answers: {} };
    if (answer.questions.length === 0) {
      return { result: 'clear', state, messages: [{ text: 'The goal is clear. Writing the outline…' }] };
    }
    return { result: 'questions', state, messages: questionDrafts(answer.questions) };
  },
};
