/**
 * Static checks over the analyser's report: one section as it lands (generate), and the whole
 * script before a run (QA sweep). Pure: analysis in, problems out.
 */
import type { Analysis, Section } from '../python/types.js';
import type { Outline, PlannedSection } from './types.js';

/** The generation plan: imports+globals, each class, each function in outline order, main. */
export function planSections(outline: Outline): PlannedSection[] {
  return [
    { kind: 'imports', name: 'imports' },
    ...outline.classes.map((c) => ({ kind: 'class' as const, name: c.name })),
    ...outline.functions
      .filter((f) => f.name !== 'main')
      .map((f) => ({ kind: 'function' as const, name: f.name })),
    { kind: 'main', name: 'main' },
  ];
}

/** Problems with one freshly generated section analysed on its own; [] when it is fine. */
export function checkSection(section: PlannedSection, analysis: Analysis): string[] {
  const problems = structuralProblems(section, analysis);
  if (analysis.syntaxError) return problems;
  if (section.kind === 'function' || section.kind === 'class') {
    if (analysis.sections.some((s) => s.kind === 'imports'))
      problems.push(
        'imports belong in the imports section, not here (import inside the function if unavoidable)',
      );
  }
  for (const p of analysis.placeholders)
    problems.push(`placeholder (${p.kind}) at line ${p.line} in ${p.name}`);
  return problems;
}

/**
 * Why code cannot stand for `section` at all: it does not parse, or it does not define exactly
 * that section (same kind and name; nothing else at top level but imports/globals for the imports
 * section). A whole script or another section's code fails here. [] when it may be spliced in.
 */
export function structuralProblems(section: PlannedSection, analysis: Analysis): string[] {
  if (analysis.syntaxError) {
    const e = analysis.syntaxError;
    return [`syntax error at line ${e.line}: ${e.message}`];
  }
  const problems: string[] = [];
  const defs = analysis.sections.filter((s) => s.kind === 'function' || s.kind === 'class');
  const mains = analysis.sections.filter((s) => s.kind === 'main');
  switch (section.kind) {
    case 'imports':
      if (defs.length > 0 || mains.length > 0)
        problems.push(
          `the imports section must not define ${[...defs, ...mains].map((d) => d.name).join(', ')}`,
        );
      break;
    case 'main':
      if (mains.length === 0)
        problems.push('main() and the if __name__ == "__main__": guard calling it are required');
      if (defs.length > 0)
        problems.push(`the main section must not define ${defs.map((d) => d.name).join(', ')}`);
      break;
    default: {
      if (!defs.some((d) => d.name === section.name && d.kind === section.kind))
        problems.push(`it must define the ${section.kind} ${section.name}`);
      const extra = [...defs, ...mains].filter((d) => d.name !== section.name);
      if (extra.length > 0)
        problems.push(`it must define only ${section.name}, not ${extra.map((d) => d.name).join(', ')}`);
      const loose = analysis.sections.filter((s) => s.kind === 'globals');
      if (loose.length > 0)
        problems.push(
          `it must contain only the definition of ${section.name}, no other top-level statements`,
        );
    }
  }
  return problems;
}

/** A section to fix: an existing one by name, or a function the outline wants that is missing. */
export interface QaFinding {
  name: string;
  missing: boolean;
  problems: string[];
}

/**
 * The QA sweep's findings, grouped by section: syntax, undefined names, outline conformance
 * (outlined functions/classes defined, main guard present), duplicates, placeholders, imports the
 * sandbox cannot resolve.
 */
export function qaFindings(analysis: Analysis, outline: Outline): QaFinding[] {
  const byName = new Map<string, QaFinding>();
  const add = (name: string, problem: string, missing = false) => {
    const finding = byName.get(name) ?? { name, missing, problems: [] };
    finding.problems.push(problem);
    byName.set(name, finding);
  };
  const at = (line: number) => sectionAt(analysis.sections, line);
  if (analysis.syntaxError) {
    const e = analysis.syntaxError;
    add(at(e.line), `syntax error at line ${e.line}: ${e.message}`);
    return [...byName.values()];
  }
  const defined = new Set(analysis.sections.map((s) => s.name));
  for (const u of analysis.undefinedNames) {
    if (u.called && !u.attribute && outline.functions.some((f) => f.name === u.name)) continue; // reported as missing below
    add(at(u.line), `name "${u.name}" is used at line ${u.line} but never defined or imported`);
  }
  for (const f of outline.functions)
    if (f.name !== 'main' && !defined.has(f.name))
      add(f.name, `outlined function ${f.name} is missing`, true);
  for (const c of outline.classes)
    if (!defined.has(c.name)) add(c.name, `outlined class ${c.name} is missing`, true);
  if (!analysis.sections.some((s) => s.kind === 'main'))
    add('main', 'main() with the if __name__ == "__main__": guard is missing', !defined.has('main'));
  for (const d of analysis.duplicates) add(d.split('.')[0]!, `${d} is defined twice; keep one definition`);
  for (const p of analysis.placeholders)
    add(at(p.line), `placeholder (${p.kind}) at line ${p.line} in ${p.name}`);
  for (const i of analysis.imports)
    if (!i.available)
      add('imports', `module "${i.module}" is not installed in the sandbox; use the standard library`);
  return [...byName.values()];
}

function sectionAt(sections: readonly Section[], line: number): string {
  const section = sections.find((s) => s.startLine <= line && line <= s.endLine);
  if (!section) return 'main';
  return section.kind === 'globals' ? 'imports' : section.name;
}
