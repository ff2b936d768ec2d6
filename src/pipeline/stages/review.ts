import { askChecked, unitKind } from '../answers.js';
import { structuralProblems } from '../checks.js';
import type { Stage } from '../context.js';
import { buildFixMessages, codeAnswerSchema } from '../prompts/fix.js';
import { buildReviewMessages, reviewAnswerSchema } from '../prompts/review.js';
import { placeSection, stripFences } from '../script.js';
import { analyseScript, dependenciesOf, listing, outlineOf, promptEnvOf } from './shared.js';

/** At most this many flagged sections are rewritten (one call each); QA catches the rest. */
const MAX_REWRITES = 4;

/** ONE call reviews the whole script; only flagged sections are rewritten, one call each. */
export const reviewStage: Stage = {
  async run(ctx) {
    const outline = outlineOf(ctx);
    ctx.progress('reviewing the whole script');
    let script = await analyseScript(ctx, ctx.state.code);
    const review = await ctx.ask('verdicts', buildReviewMessages(outline, script.units), reviewAnswerSchema, {
      maxTokens: 1500,
    });
    const known = new Set(script.units.map((u) => u.name));
    const flagged = review.verdicts
      .filter((v) => known.has(v.section) && v.issues.length > 0)
      .filter((v) => !(v.specMatch && v.structure && v.interfaces && v.noPlaceholders && v.style))
      .slice(0, MAX_REWRITES);
    let code = ctx.state.code;
    const rewritten: string[] = [];
    for (const verdict of flagged) {
      ctx.progress(`rewriting ${verdict.section}`);
      const current = script.units.find((u) => u.name === verdict.section)?.code ?? null;
      const section = {
        kind: unitKind(
          verdict.section,
          outline.classes.map((c) => c.name),
        ),
        name: verdict.section,
      };
      const answer = await askChecked(
        ctx,
        `rewrite:${verdict.section}`,
        buildFixMessages({
          task: 'review_fix',
          name: verdict.section,
          current,
          problems: verdict.issues,
          outline,
          context: dependenciesOf(verdict.section, outline, script.units),
          env: await promptEnvOf(ctx),
        }),
        codeAnswerSchema,
        async (a) => structuralProblems(section, await ctx.python.analyze(stripFences(a.code))),
        { maxTokens: 2000 },
      );
      // A rewrite that is not exactly this section is refused; the reviewed original stays.
      if (answer.problems.length > 0) continue;
      const candidate = placeSection(
        script.sections,
        { replace: verdict.section },
        stripFences(answer.value.code),
      );
      const analysed = await analyseScript(ctx, candidate);
      // Keep the reviewed original rather than break the script; an identical rewrite is no version.
      if (analysed.analysis.syntaxError || candidate === code) continue;
      code = candidate;
      script = analysed;
      rewritten.push(verdict.section);
    }
    const state = {
      ...ctx.state,
      code,
      qaRound: 0,
      afterQa: 'approve_run' as const,
      ...(rewritten.length > 0 ? { versions: ctx.state.versions + 1 } : {}),
    };
    const kept = flagged.length - rewritten.length;
    const text =
      rewritten.length > 0
        ? `Review: rewrote ${listing(rewritten)}. Checking the script…`
        : kept > 0
          ? `Review: kept the script as it is (${kept} suggested rewrite(s) were not usable). Checking the script…`
          : 'Review: every section looks right. Checking the script…';
    return {
      result: 'ok',
      state,
      messages: [{ text }],
      events: [{ type: 'review', data: { verdicts: review.verdicts, rewritten } }],
      ...(rewritten.length > 0 ? { scriptReason: `review: ${listing(rewritten)}` } : {}),
    };
  },
};
