/**
 * Sessions that start from something (a template or the person's own script): the starting
 * outline shown to the interview and outline prompts, which planned sections the adapted outline
 * left unchanged (generation copies those instead of asking the model), and the words that say so.
 */
import { planSections } from './checks.js';
import type { StageContext } from './context.js';
import { outlineForModel, type Prompt } from './prompts/common.js';
import { analyseScript, listing } from './stages/shared.js';
import type { Outline, PlannedSection, SessionBase } from './types.js';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether `name` is in `from` and described the same in `to`. */
function sameNamed(
  from: readonly { name: string }[],
  to: readonly { name: string }[],
  name: string,
): boolean {
  const before = from.find((d) => d.name === name);
  return (
    before !== undefined &&
    same(
      before,
      to.find((d) => d.name === name),
    )
  );
}

/** Whether the adapted outline still describes `section` exactly as the starting outline did. */
export function sectionUnchanged(from: Outline, to: Outline, section: PlannedSection): boolean {
  switch (section.kind) {
    case 'imports':
      return same(from.imports, to.imports) && same(from.globals, to.globals);
    case 'main':
      return same(from.mainFlow, to.mainFlow) && same(from.inputs, to.inputs) && from.runMode === to.runMode;
    case 'class':
      return sameNamed(from.classes, to.classes, section.name);
    case 'function':
      return sameNamed(from.functions, to.functions, section.name);
  }
}

/** The planned sections of `outline` split into kept (unchanged from the base) and new or changed. */
export function baseSplit(base: SessionBase, outline: Outline): { kept: string[]; changed: string[] } {
  const kept: string[] = [];
  const changed: string[] = [];
  for (const section of planSections(outline)) {
    if (base.outline && sectionUnchanged(base.outline, outline, section)) kept.push(section.name);
    else changed.push(section.name);
  }
  return { kept, changed };
}

function origin(base: SessionBase): string {
  return base.kind === 'template' ? `template ${base.name}` : `your script ${base.name}`;
}

/** One line for the outline gate: which sections come from the base and which will be written. */
export function baseNote(base: SessionBase | null, outline: Outline): string | null {
  if (!base?.outline) return null;
  const { kept, changed } = baseSplit(base, outline);
  const parts = [
    `From ${origin(base)}: ${kept.length > 0 ? `kept as is: ${listing(kept)}` : 'nothing kept as is'}`,
  ];
  if (changed.length > 0) parts.push(`to write for your goal: ${listing(changed)}`);
  return `${parts.join('; ')}.`;
}

/**
 * The base's code of `section` when the adapted outline left it unchanged (no model call needed),
 * else null. The base code is analysed, never run.
 */
export async function keptSectionCode(
  ctx: Pick<StageContext, 'python' | 'state'>,
  section: PlannedSection,
): Promise<string | null> {
  const base = ctx.state.base;
  const outline = ctx.state.outline;
  if (!base?.outline || !outline || !sectionUnchanged(base.outline, outline, section)) return null;
  const script = await analyseScript(ctx, base.code);
  if (script.analysis.syntaxError) return null;
  return script.units.find((u) => u.name === section.name)?.code ?? null;
}

/** The starting outline added to an interview or outline prompt, so the model adapts it. */
export function withBaseOutline(prompt: Prompt, base: SessionBase | null): Prompt {
  if (!base?.outline) return prompt;
  const { messages } = prompt;
  const guidance =
    base.kind === 'template'
      ? `Start from the template "${base.name}". Keep every function, name, signature, purpose and step that fits the goal exactly as it is (word for word); change or add only what the goal needs.`
      : `Start from the person's existing script "${base.name}". Keep everything the goal does not ask to change exactly as it is (word for word).`;
  const block = `${guidance}\nStarting outline:\n${outlineForModel(base.outline)}\nStarting outline JSON:\n${JSON.stringify(base.outline)}`;
  return {
    task: prompt.task,
    messages: messages.map((m, i) =>
      i === messages.length - 1 && m.role === 'user' ? { ...m, content: `${m.content}\n\n${block}` } : m,
    ),
  };
}

/**
 * An own script's code no planned section holds: module-level statements after its first
 * definition (constants, registrations, late imports) and definitions past the outline's limit of
 * 20 functions. Generation puts them back, as written, before main.
 */
export async function laterGlobals(ctx: Pick<StageContext, 'python' | 'state'>): Promise<string[]> {
  const base = ctx.state.base;
  if (base?.kind !== 'script') return [];
  const script = await analyseScript(ctx, base.code);
  if (script.analysis.syntaxError) return [];
  const firstDef = script.sections.findIndex((s) => s.kind !== 'imports' && s.kind !== 'globals');
  if (firstDef < 0) return [];
  const outlined = new Set(
    [base.outline, ctx.state.outline].flatMap((o) =>
      [...(o?.functions ?? []), ...(o?.classes ?? [])].map((d) => d.name),
    ),
  );
  return script.sections.slice(firstDef).flatMap((s) => {
    if (s.kind === 'globals' || s.kind === 'imports') return [s.code];
    if ((s.kind === 'function' || s.kind === 'class') && s.name !== 'main' && !outlined.has(s.name))
      return [s.code];
    return [];
  });
}
