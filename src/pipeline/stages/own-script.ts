import { qaFindings } from '../checks.js';
import type { Stage, StageContext } from '../context.js';
import { scriptFile } from '../messages.js';
import { outlineFromScript } from '../script-outline.js';
import type { Draft } from '../types.js';
import { environmentOf, outlineGate } from './packages.js';
import { analyseScript } from './shared.js';

/**
 * The person's own script becomes version 1 exactly as attached: analysed and described (no
 * model call, nothing executed), its outline read off its sections, the problems QA's checks
 * find listed; then the outline gate, with the goal as the change Approve applies.
 */
export const importScriptStage: Stage = {
  async run(ctx) {
    const base = ctx.state.base;
    if (base?.kind !== 'script') throw new Error('import_script without an attached script');
    ctx.progress(`reading ${base.name}`);
    const { analysis, units } = await analyseScript(ctx, base.code);
    const description = (await ctx.python.describe?.(base.code)) ?? { ok: false as const };
    const outline = outlineFromScript(analysis, description, null, base.name);
    const problems = qaFindings(analysis, outline).flatMap((f) => f.problems.map((p) => `• ${f.name}: ${p}`));
    const state = { ...ctx.state, code: base.code, outline, versions: 1, base: { ...base, outline } };
    const lines = base.code.split('\n').length;
    const analysisDraft: Draft = {
      title: `Version 1: ${base.name}`,
      text: [
        `Version 1 is your script ${base.name} as attached (${lines} lines; nothing was run, no model was asked).`,
        `Sections: ${units.map((u) => u.name).join(', ') || 'none'}.`,
        problems.length > 0 ? `Problems found:\n${problems.join('\n')}` : 'Problems found: none.',
      ].join('\n'),
      files: [scriptFile(state, base.name.replace(/[^\w.-]/g, '_'))],
    };
    const gate = outlineGate(ctx, outline, false, await environmentOf(ctx));
    const draft = pendingGoalDraft(ctx, gate.draft);
    return {
      result: 'ok',
      state: { ...state, ...gate.patch },
      scriptReason: `your script ${base.name}`,
      messages: [analysisDraft, draft],
      events: [{ type: 'script_imported', data: { name: base.name, problems: problems.length } }],
    };
  },
};

function pendingGoalDraft(ctx: Pick<StageContext, 'goal'>, draft: Draft): Draft {
  return {
    ...draft,
    title: 'Outline of your script',
    text: `${draft.text}\n\nRequested change (your goal): ${ctx.goal}\nApprove applies it to this outline (you'll see the revised outline before any code is written); or reply with a different change.`,
  };
}
