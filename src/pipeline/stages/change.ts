import { askChecked, newFunctionProblem, unitKind } from '../answers.js';
import { structuralProblems } from '../checks.js';
import type { Stage } from '../context.js';
import { feedbackButtons } from '../messages.js';
import { buildChangeMessages, changeAnswerSchema } from '../prompts/change.js';
import { placeSection, stripFences } from '../script.js';
import type { RunSummary } from '../types.js';
import { analyseScript, outlineOf, promptEnvOf } from './shared.js';

/** The last run's failure, so feedback given on a failing run is applied knowing what broke. */
function failedRun(run: RunSummary | null): string | undefined {
  return run && !run.ok ? `${run.problem}\n${run.detail}` : undefined;
}

/** One call: the feedback picks one target section, only it is rewritten; then QA and a run. */
export const changeStage: Stage = {
  async run(ctx) {
    const outline = outlineOf(ctx);
    ctx.progress('applying your change');
    const script = await analyseScript(ctx, ctx.state.code);
    const names = script.units.map((u) => u.name);
    const classes = outline.classes.map((c) => c.name);
    const checked = await askChecked(
      ctx,
      'edit',
      buildChangeMessages(
        outline,
        script.units,
        ctx.state.feedback,
        failedRun(ctx.state.lastRun),
        await promptEnvOf(ctx),
      ),
      changeAnswerSchema,
      async (a) => {
        if (!a.clear || a.code.trim() === '') return [];
        const exists = names.includes(a.target);
        if (!exists) {
          const refused = newFunctionProblem(a.target, outline);
          if (refused)
            return [`target: ${refused}; name an existing section (${names.join(', ')}) or a new function`];
        }
        const section = {
          kind: exists ? unitKind(a.target, classes) : ('function' as const),
          name: a.target,
        };
        return structuralProblems(section, await ctx.python.analyze(stripFences(a.code)));
      },
      { maxTokens: 2500 },
    );
    const answer = checked.value;
    if (checked.problems.length > 0) {
      // Nothing is stored: the session goes back to the feedback gate saying why.
      return {
        result: 'unclear',
        state: { ...ctx.state, feedback: '' },
        messages: [
          {
            text: `I could not apply that change: ${checked.problems[0]}. Nothing was changed.\nReply with the change in other words, or ship as it is.`,
            buttons: feedbackButtons(),
          },
        ],
        events: [{ type: 'answer_refused', data: { stage: 'change', problems: checked.problems } }],
      };
    }
    if (!answer.clear || answer.code.trim() === '') {
      return {
        result: 'unclear',
        state: { ...ctx.state, feedback: '' },
        messages: [
          {
            text: `I'm not sure what to change: ${answer.question || 'could you say it differently?'}\nReply with the change, or ship as it is.`,
            buttons: feedbackButtons(),
          },
        ],
      };
    }
    const exists = script.units.some((u) => u.name === answer.target);
    const code = placeSection(
      script.sections,
      exists ? { replace: answer.target } : { beforeMain: true },
      stripFences(answer.code),
    );
    const newOutline = exists
      ? outline
      : {
          ...outline,
          functions: [
            ...outline.functions,
            { name: answer.target, params: '', returns: '', purpose: answer.summary, calls: [] },
          ],
        };
    const remaining = [...answer.remaining, ...ctx.state.remaining];
    const state = {
      ...ctx.state,
      outline: newOutline,
      code,
      feedback: '',
      remaining,
      repairs: 0,
      qaRound: 0,
      afterQa: 'run' as const,
      versions: ctx.state.versions + 1,
    };
    const rest =
      remaining.length > 0 ? `\nStill to do, one at a time after this run: ${remaining.join('; ')}` : '';
    return {
      result: 'ok',
      state,
      scriptReason: `change: ${answer.target}`,
      messages: [{ text: `Changed ${answer.target}: ${answer.summary}${rest}` }],
    };
  },
};
