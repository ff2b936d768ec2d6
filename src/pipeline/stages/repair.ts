import type { RunStatus } from '../../sandbox/types.js';
import type { Stage } from '../context.js';
import { chooseFixTarget } from '../fix-target.js';
import { environmentBlock } from '../packages.js';
import {
  buildFixMessages,
  buildPickAndFixMessages,
  codeAnswerSchema,
  pickAndFixSchema,
} from '../prompts/fix.js';
import { placeSection, stripFences } from '../script.js';
import type { Outline } from '../types.js';
import { environmentOf, missingOf, missingPackagesOutcome } from './packages.js';
import { analyseScript, dependenciesOf } from './shared.js';

/**
 * One repair round: the fix target is chosen by code from the traceback and the analysis; one call
 * patches exactly that section (or writes the missing function); QA and a rerun follow without
 * asking. The round count lives in the session state; `run` stops the loop at FF2_MAX_REPAIRS.
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
    });

    let name: string;
    let code: string;
    let reason: string;
    let newOutline: Outline = outline;
    if (target) {
      name = target.kind === 'imports' || target.kind === 'globals' ? 'imports' : target.name;
      reason = target.reason;
      const current =
        target.kind === 'new_function' ? null : (script.units.find((u) => u.name === name)?.code ?? null);
      const answer = await ctx.ask(
        `fix:${name}`,
        buildFixMessages({
          task: 'repair',
          name,
          current,
          problems: [reason, last.problem],
          outline,
          context: dependenciesOf(name, outline, script.units),
          runDetail: last.detail,
          ...(env ? { environment: environmentBlock(env) } : {}),
        }),
        codeAnswerSchema,
        { maxTokens: 2000 },
      );
      code = stripFences(answer.code);
      if (current === null && name !== 'imports' && name !== 'main') {
        newOutline = {
          ...outline,
          functions: [...outline.functions, { name, params: '', returns: '', purpose: reason, calls: [] }],
        };
      }
    } else {
      // The script ran but a check failed (wrong output): no traceback points anywhere, so the
      // model names the section, among the existing ones.
      const answer = await ctx.ask(
        'pick',
        buildPickAndFixMessages(outline, script.units, [last.problem], last.detail),
        pickAndFixSchema,
        { maxTokens: 2000 },
      );
      name = script.units.some((u) => u.name === answer.target) ? answer.target : 'main';
      reason = `${last.problem} (${answer.reason})`;
      code = stripFences(answer.code);
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
