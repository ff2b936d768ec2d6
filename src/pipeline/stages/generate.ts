import type { Analysis } from '../../python/types.js';
import { askChecked, InvalidAnswerError } from '../answers.js';
import { baseSplit, keptSectionCode, laterGlobals } from '../base.js';
import { checkSection, planSections, structuralProblems } from '../checks.js';
import type { Stage } from '../context.js';
import { buildGenerateMessages, codeAnswerSchema } from '../prompts/generate.js';
import { joinSections, stripFences } from '../script.js';
import { dependenciesOf, outlineOf, promptEnvOf } from './shared.js';

/**
 * One section per step, in outline order. Each section gets the outline and only the code it
 * depends on; it is checked as it lands and gets one retry when the check fails. Code that is not
 * exactly this section (a whole script, another section, broken syntax) is refused: the stage pauses.
 */
export const generateStage: Stage = {
  async run(ctx) {
    const outline = outlineOf(ctx);
    const plan = planSections(outline);
    const index = ctx.state.genIndex;
    const section = plan[index];
    if (!section) throw new Error(`generate past the plan (${index}/${plan.length})`);
    ctx.progress(`section ${index + 1}/${plan.length}: ${section.name}`);

    const deps = section.kind === 'main' ? [] : dependenciesOf(section.name, outline, ctx.state.genUnits);
    // A section the adapted outline left as the template/script had it is copied, not asked for.
    const kept = await keptSectionCode(ctx, section);
    let code: string;
    let problems: string[];
    if (kept !== null) {
      code = stripFences(kept);
      problems = checkSection(section, await ctx.python.analyze(code));
    } else {
      let analysis: Analysis | undefined;
      const answer = await askChecked(
        ctx,
        `section:${section.name}`,
        buildGenerateMessages(section, outline, deps, await promptEnvOf(ctx)),
        codeAnswerSchema,
        async (a) => {
          analysis = await ctx.python.analyze(stripFences(a.code));
          return checkSection(section, analysis);
        },
        { maxTokens: 2000 },
      );
      code = stripFences(answer.value.code);
      problems = answer.problems;
      // Placeholders and the like are left for QA; code that is not this section never lands.
      const wrong = analysis ? structuralProblems(section, analysis) : [];
      if (wrong.length > 0)
        throw new InvalidAnswerError(`the model's code for ${section.name} was refused twice (${wrong[0]})`);
    }
    const done = index + 1 >= plan.length;
    const state = {
      ...ctx.state,
      // Module-level code between a person's functions has no planned section: it goes before main as it was.
      code: joinSections([ctx.state.code, ...(section.kind === 'main' ? await laterGlobals(ctx) : []), code]),
      genIndex: index + 1,
      genUnits: done ? [] : [...ctx.state.genUnits, { name: section.name, code }],
      ...(done ? { versions: ctx.state.versions + 1 } : {}),
    };
    const events = [{ type: 'section_generated' as const, data: { name: section.name, problems } }];
    if (!done) return { result: 'more', state, events };
    return {
      result: 'done',
      state,
      events,
      scriptReason: 'generated',
      messages: [
        {
          text: `Wrote all ${plan.length} sections.${keptText(ctx.state.base, outline)} Reviewing the script…`,
        },
      ],
    };
  },
};

function keptText(
  base: Parameters<typeof baseSplit>[0] | null,
  outline: Parameters<typeof baseSplit>[1],
): string {
  if (!base?.outline) return '';
  const { kept, changed } = baseSplit(base, outline);
  const from = base.kind === 'template' ? `the template ${base.name}` : `your script ${base.name}`;
  return ` From ${from}: ${kept.join(', ') || 'none'}; written for your goal: ${changed.join(', ') || 'none'}.`;
}
