import { askChecked, InvalidAnswerError } from '../answers.js';
import type { Stage } from '../context.js';
import { checksText } from '../messages.js';
import { buildReviseChecksMessages, checksAnswerSchema } from '../prompts/checks.js';
import { checkProblems, DEFAULT_RUN_RULES } from '../rules.js';
import { outlineOf, promptEnvOf } from './shared.js';

/** One call: the smoke checks corrected (from the last run and the person's words), then a rerun. */
export const reviseChecksStage: Stage = {
  async run(ctx) {
    const outline = outlineOf(ctx);
    ctx.progress('correcting the checks');
    const rules = ctx.runRules ?? DEFAULT_RUN_RULES;
    const last = ctx.state.lastRun;
    const answer = await askChecked(
      ctx,
      'checks',
      buildReviseChecksMessages(
        outline,
        last ? `${last.problem}\n${last.detail}` : '',
        ctx.state.feedback,
        await promptEnvOf(ctx),
      ),
      checksAnswerSchema,
      (a) => checkProblems(a.smokeChecks, outline.runMode, rules),
      { maxTokens: 2000 },
    );
    if (answer.problems.length > 0)
      throw new InvalidAnswerError(`the model's checks were refused twice (${answer.problems[0]})`);
    const state = {
      ...ctx.state,
      outline: { ...outline, smokeChecks: answer.value.smokeChecks },
      feedback: '',
      repairs: 0,
      extraRepairs: 0,
      awaitingChecks: false,
    };
    return {
      result: 'ok',
      state,
      messages: [{ text: `Checks changed:\n${checksText(answer.value.smokeChecks)}\nRunning them…` }],
      events: [{ type: 'checks_revised', data: { smokeChecks: answer.value.smokeChecks } }],
    };
  },
};
