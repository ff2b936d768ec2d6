import { askSectionCode, unitKind } from '../answers.js';
import { qaFindings } from '../checks.js';
import type { Stage } from '../context.js';
import { fitOutlineOutcome } from '../hand-edit.js';
import { runApprovalDraft } from '../messages.js';
import { buildFixMessages } from '../prompts/fix.js';
import { codeHash, placeSection } from '../script.js';
import type { SessionState, StageOutcome } from '../types.js';
import { environmentOf, missingOf, missingPackagesOutcome } from './packages.js';
import { analyseScript, dependenciesOf, listing, promptEnv } from './shared.js';

/** Fix rounds before QA reports what is left and moves on (after a repair or change: 1, the run decides). */
export const QA_MAX_ROUNDS = 2;
const QA_ROUNDS_BEFORE_RERUN = 1;

const CHECKS = 'syntax, undefined names, outline conformance, duplicates, placeholders, sandbox imports';

/**
 * The static sweep: no model call unless something fails; each failing section gets one targeted
 * fix per round, at most QA_MAX_ROUNDS rounds; the report goes out with "run it?".
 */
export const qaStage: Stage = {
  async run(ctx) {
    const outline = ctx.state.outline;
    if (ctx.state.syncOutline) return fitOutlineOutcome(ctx);
    if (!outline) throw new Error('qa without an outline');
    ctx.progress(`static checks, round ${ctx.state.qaRound + 1}`);
    const script = await analyseScript(ctx, ctx.state.code);
    const env = await environmentOf(ctx);
    const unresolved = script.analysis.imports.filter((i) => !i.available).map((i) => i.module);
    const missing = missingOf(unresolved, env);
    if (env && missing.length > 0) return missingPackagesOutcome(ctx, missing, env, 'imports');
    const findings = qaFindings(script.analysis, outline);
    const compiles = script.analysis.syntaxError ? null : codeHash(ctx.state.code);
    if (findings.length === 0) {
      return proceed(ctx.state, `QA: all checks passed (${CHECKS}).`, compiles);
    }
    const maxRounds = ctx.state.afterQa === 'run' ? QA_ROUNDS_BEFORE_RERUN : QA_MAX_ROUNDS;
    if (ctx.state.qaRound >= maxRounds) {
      const left = findings.flatMap((f) => f.problems.map((p) => `• ${f.name}: ${p}`));
      return proceed(
        ctx.state,
        `QA: ${left.length} problem(s) remain after ${maxRounds} fix round(s):\n${left.join('\n')}`,
        compiles,
      );
    }
    let code = ctx.state.code;
    let current = script;
    const fixed: string[] = [];
    for (const finding of findings) {
      ctx.progress(`fixing ${finding.name}`);
      const existing = finding.missing
        ? null
        : (current.units.find((u) => u.name === finding.name)?.code ?? null);
      const kind = unitKind(
        finding.name,
        outline.classes.map((c) => c.name),
      );
      const fixedCode = await askSectionCode(
        ctx,
        `fix:${finding.name}`,
        { kind, name: finding.name === 'globals' ? 'imports' : finding.name },
        buildFixMessages({
          task: 'qa_fix',
          name: finding.name,
          current: existing,
          problems: finding.problems,
          outline,
          context: dependenciesOf(finding.name, outline, current.units),
          env: promptEnv(ctx, env),
        }),
        { maxTokens: 2000 },
      );
      const placement =
        existing === null && finding.name !== 'imports' && finding.name !== 'main'
          ? { beforeMain: true as const }
          : { replace: finding.name };
      code = placeSection(current.sections, placement, fixedCode);
      current = await analyseScript(ctx, code);
      fixed.push(finding.name);
    }
    const state = { ...ctx.state, code, qaRound: ctx.state.qaRound + 1, versions: ctx.state.versions + 1 };
    return {
      result: 'more',
      state,
      scriptReason: `qa: ${listing(fixed)}`,
      events: [{ type: 'qa_fix', data: { findings } }],
    };
  },
};

function proceed(state: SessionState, report: string, compiles: string | null): StageOutcome {
  const next = { ...state, qaReport: report, qaRound: 0, compiles };
  if (state.afterQa === 'run')
    return { result: 'to_run', state: next, messages: [{ text: `${report}\nRunning it again…` }] };
  return { result: 'to_approval', state: next, messages: [runApprovalDraft(next)] };
}
