import type { RunStatus } from '../../sandbox/types.js';
import { askChecked, askSectionCode, InvalidAnswerError, newFunctionProblem, unitKind } from '../answers.js';
import { structuralProblems } from '../checks.js';
import type { Stage } from '../context.js';
import { chooseFixTarget } from '../fix-target.js';
import { afterRepairsDraft } from '../messages.js';
import { buildFixMessages, buildPickAndFixMessages, pickAndFixSchema } from '../prompts/fix.js';
import { placeSection, stripFences } from '../script.js';
import type { Outline } from '../types.js';
import { environmentOf, missingOf, missingPackagesOutcome } from './packages.js';
import { analyseScript, callersOf, dependenciesOf, promptEnv } from './shared.js';

/**
 * One repair round: the fix target is chosen by code from the traceback, the exit message and the
 * analysis; one call patches exactly that section (or writes the missing function, seeing the code
 * that calls it). With no target the model names one existing section, and its choice is checked.
 * Answers that are not exactly that section are refused (one retry, then a pause); a new function
 * the outline has no room for is refused with a message. QA and a rerun follow without asking.
 */
export const repairStage: Stage = {
  async run(ctx) {
    const outline = ctx.state.outline;
    const last = ctx.state.lastRun;
    if (!outline || !last) throw new Error('repair without an outline or a failed run');
    const round = ctx.state.repairs + 1;
    ctx.progress(`repair round ${round}`);
    const env = await environmentOf(ctx);
    const needed = /^(ModuleNotFoundError|ImportError)$/.test(last.traceback?.type ?? '')
      ? /No module named '([^']+)'/.exec(last.traceback?.message ?? '')?.[1]
      : undefined;
    const missing = needed ? missingOf([needed], env) : [];
    // Never "fixed" by rewriting the import alone: the person chooses how the design changes.
    if (env && missing.length > 0) return missingPackagesOutcome(ctx, missing, env, 'run');
    const script = await analyseScript(ctx, ctx.state.code);
    const target = chooseFixTarget(script.analysis, {
      status: last.status as RunStatus,
      exitCode: last.exitCode,
      traceback: last.traceback,
      stderr: last.detail,
    });
    const classes = outline.classes.map((c) => c.name);

    let name: string;
    let code: string;
    let reason: string;
    let newOutline: Outline = outline;
    if (target) {
      name = target.kind === 'imports' || target.kind === 'globals' ? 'imports' : target.name;
      reason = target.reason;
      const current =
        target.kind === 'new_function' ? null : (script.units.find((u) => u.name === name)?.code ?? null);
      const creating = current === null && name !== 'imports' && name !== 'main';
      const refused = creating ? newFunctionProblem(name, outline) : null;
      if (refused) {
        const state = { ...ctx.state, repairs: Math.max(round, ctx.maxRepairs) };
        return {
          result: 'exhausted',
          state,
          messages: [
            {
              text: `Repair ${round} would add a function ${name.slice(0, 60)}, but ${refused}; nothing was changed.`,
            },
            afterRepairsDraft(state, last),
          ],
        };
      }
      // A missing function is written knowing how it is called.
      const context = creating
        ? [...dependenciesOf(name, outline, script.units), ...callersOf(name, script.units)]
        : dependenciesOf(name, outline, script.units);
      code = await askSectionCode(
        ctx,
        `fix:${name}`,
        { kind: creating ? 'function' : unitKind(name, classes), name },
        buildFixMessages({
          task: 'repair',
          name,
          current,
          problems: [reason, last.problem],
          outline,
          context,
          runDetail: last.detail,
          env: promptEnv(ctx, env),
        }),
        { maxTokens: 2000 },
      );
      if (creating) {
        newOutline = {
          ...outline,
          functions: [...outline.functions, { name, params: '', returns: '', purpose: reason, calls: [] }],
        };
      }
    } else {
      // No traceback points anywhere (a wrong output, a bare non-zero exit): the model names one
      // existing section and fixes it; a name that is not a section, or code that is not it, is refused.
      const names = script.units.map((u) => u.name);
      const answer = await askChecked(
        ctx,
        'pick',
        buildPickAndFixMessages(outline, script.units, [last.problem], last.detail, promptEnv(ctx, env)),
        pickAndFixSchema,
        async (a) => {
          if (!names.includes(a.target))
            return [`"${a.target}" is not a section of the script; choose one of: ${names.join(', ')}`];
          const section = { kind: unitKind(a.target, classes), name: a.target };
          return structuralProblems(section, await ctx.python.analyze(stripFences(a.code)));
        },
        { maxTokens: 2000 },
      );
      if (answer.problems.length > 0)
        throw new InvalidAnswerError(`the model's repair was refused twice (${answer.problems[0]})`);
      name = answer.value.target;
      reason = `${last.problem} (${answer.value.reason})`;
      code = stripFences(answer.value.code);
    }
    const placement = script.units.some((u) => u.name === name)
      ? { replace: name }
      : { beforeMain: true as const };
    const nextCode = placeSection(script.sections, placement, code);
    const state = {
      ...ctx.state,
      outline: newOutline,
      code: nextCode,
      repairs: round,
      qaRound: 0,
      afterQa: 'run' as const,
      versions: ctx.state.versions + 1,
    };
    return {
      result: 'ok',
      state,
      scriptReason: `repair ${round}: ${name}`,
      messages: [{ text: `Repair ${round}: rewrote ${name} — ${reason}.` }],
      events: [{ type: 'repair', data: { round, target: name, reason } }],
    };
  },
};
