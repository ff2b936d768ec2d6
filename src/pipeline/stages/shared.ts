/** Helpers several stages share: analysing the script into units, and the code a section depends on. */
import type { Analysis, ScriptEnvironmentInfo } from '../../python/types.js';
import type { StageContext } from '../context.js';
import { environmentBlock } from '../packages.js';
import type { PromptEnv } from '../prompts/common.js';
import { attachmentsText, DEFAULT_RUN_RULES, runRuleLines } from '../rules.js';
import { type ScriptSection, sectionsOf, unitsOf } from '../script.js';
import type { Outline } from '../types.js';
import { environmentOf } from './packages.js';

export interface AnalysedScript {
  analysis: Analysis;
  sections: ScriptSection[];
  units: { name: string; code: string }[];
}

export async function analyseScript(
  ctx: Pick<StageContext, 'python'>,
  code: string,
): Promise<AnalysedScript> {
  const analysis = await ctx.python.analyze(code);
  const sections = sectionsOf(code, analysis);
  return { analysis, sections, units: unitsOf(sections) };
}

/** The code a unit depends on: the imports unit, plus the outlined functions it calls. */
export function dependenciesOf(
  name: string,
  outline: Outline,
  units: readonly { name: string; code: string }[],
): { name: string; code: string }[] {
  if (name === 'imports') return [];
  const calls = new Set(outline.functions.find((f) => f.name === name)?.calls ?? []);
  return units.filter((u) => u.name !== name && (u.name === 'imports' || calls.has(u.name)));
}

/** A short run of "a, b and c". */
/**
 * The session's outline, which every stage after the outline gate needs.
 * @throws Error when there is none (a bug: the transition table never gets here without one).
 */
export function outlineOf(ctx: Pick<StageContext, 'stage' | 'state'>): Outline {
  if (!ctx.state.outline) throw new Error(`${ctx.stage} without an outline`);
  return ctx.state.outline;
}

export function listing(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The units that call `name(…)`: what a missing function must fit (labelled as callers). */
export function callersOf(
  name: string,
  units: readonly { name: string; code: string }[],
): { name: string; code: string }[] {
  const call = new RegExp(`(^|[^\\w.])${name.replace(/\W/g, '')}\\s*\\(`);
  return units
    .filter((u) => u.name !== name && u.name !== 'imports' && call.test(u.code))
    .map((u) => ({ name: `${u.name}, which calls ${name}`, code: u.code }));
}

/** The run rules and attached files every code-writing prompt states. */
export function promptEnv(
  ctx: Pick<StageContext, 'runRules' | 'state'>,
  environment?: ScriptEnvironmentInfo | null,
): PromptEnv {
  const attachments = ctx.state.attachments;
  const rules = runRuleLines(ctx.runRules ?? DEFAULT_RUN_RULES, attachments);
  if (!environment) return { rules, files: attachmentsText(attachments) };
  // The installed packages are listed once, in the script-environment block.
  return {
    rules: rules.map((line) => (line.startsWith('Importable:') ? IMPORTABLE_SEE_BLOCK : line)),
    files: attachmentsText(attachments),
    environment: environmentBlock(environment),
  };
}

const IMPORTABLE_SEE_BLOCK =
  'Importable: the Python standard library and only the third-party packages named in the script environment block; nothing can be installed.';

/** promptEnv with the script environment discovered (cached by the toolchain; null when unknown). */
export async function promptEnvOf(
  ctx: Pick<StageContext, 'runRules' | 'state' | 'python'>,
): Promise<PromptEnv> {
  return promptEnv(ctx, await environmentOf(ctx));
}
