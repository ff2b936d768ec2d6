/**
 * The script model: a script is an ordered list of top-level sections whose boundaries come from
 * the analyser's exact line spans. Changing one section splices lines by those spans (never a
 * regular expression over code); every version can be diffed against another.
 */
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { Analysis, Section } from '../python/types.js';

export interface ScriptSection extends Section {
  /** The section's text: its lines plus the comments/blank lines just above it. */
  code: string;
}

/** Joins section texts into a script with two blank lines between sections and a final newline. */
export function joinSections(codes: readonly string[]): string {
  const parts = codes.map((c) => trimBlankLines(c)).filter((c) => c.length > 0);
  return parts.length === 0 ? '' : `${parts.join('\n\n\n')}\n`;
}

/** Splits `code` into sections by the analysis spans; leading comments go with the next section. */
export function sectionsOf(code: string, analysis: Analysis): ScriptSection[] {
  const lines = code.split('\n');
  const result: ScriptSection[] = [];
  let from = 1;
  analysis.sections.forEach((section, index) => {
    const last = index === analysis.sections.length - 1;
    const to = last ? lines.length : section.endLine;
    result.push({ ...section, code: trimBlankLines(lines.slice(from - 1, to).join('\n')) });
    from = to + 1;
  });
  return result;
}

/**
 * Indexes of the sections that make up `name`. "imports" (and "globals") means the leading
 * imports and globals sections together: ff2 generates and fixes them as one unit.
 */
export function sectionIndexes(sections: readonly ScriptSection[], name: string): number[] {
  if (name === 'imports' || name === 'globals') {
    const firstDef = sections.findIndex((s) => s.kind !== 'imports' && s.kind !== 'globals');
    const end = firstDef < 0 ? sections.length : firstDef;
    return sections.flatMap((_, i) => (i < end ? [i] : []));
  }
  return sections.flatMap((s, i) => (s.name === name ? [i] : []));
}

/** The code of the unit `name` (see sectionIndexes), or null when the script has none. */
export function sectionCode(sections: readonly ScriptSection[], name: string): string | null {
  const hits = sectionIndexes(sections, name);
  if (hits.length === 0) return null;
  return hits.map((i) => sections[i]!.code).join('\n\n');
}

export type Placement = { replace: string } | { beforeMain: true } | { afterImports: true };

/**
 * A new script with `newCode` put in place: replacing the named section (every section with that
 * name when it is duplicated, keeping the first position), or inserted before main / after the
 * imports. Falls back to appending before main when the named section is missing.
 */
export function placeSection(
  sections: readonly ScriptSection[],
  placement: Placement,
  newCode: string,
): string {
  const codes = sections.map((s) => s.code);
  if ('replace' in placement) {
    const hits = sectionIndexes(sections, placement.replace);
    if (hits.length > 0) {
      const out: string[] = [];
      sections.forEach((section, i) => {
        if (i === hits[0]) out.push(newCode);
        else if (!hits.includes(i)) out.push(section.code);
      });
      return joinSections(out);
    }
  }
  if ('afterImports' in placement) {
    const at = sections.reduce((end, s, i) => (s.kind === 'imports' ? i + 1 : end), 0);
    codes.splice(at, 0, newCode);
    return joinSections(codes);
  }
  const main = sections.findIndex((s) => s.kind === 'main');
  if (main < 0) codes.push(newCode);
  else codes.splice(main, 0, newCode);
  return joinSections(codes);
}

/** Unified diff from `before` to `after` ('' when equal). */
export function diffScripts(before: string, after: string, fromLabel: string, toLabel: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(fromLabel, toLabel, before, after, undefined, undefined, { context: 3 });
}

/** Lines added and removed in a unified diff. */
export function diffStats(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { added, removed };
}

function trimBlankLines(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.map((l) => l.replace(/\s+$/, '')).join('\n');
}

/** The code inside the first ```python fence of a model answer, or the answer itself. */
export function stripFences(text: string): string {
  const fence = /```[a-zA-Z0-9_-]*\n([\s\S]*?)```/.exec(text);
  return (fence ? fence[1]! : text).replace(/\t/g, '    ');
}

/** The units ff2 generates and fixes: "imports" (imports + leading globals), each def/class, main. */
export function unitsOf(sections: readonly ScriptSection[]): { name: string; code: string }[] {
  const units: { name: string; code: string }[] = [];
  const imports = sectionCode(sections, 'imports');
  if (imports !== null) units.push({ name: 'imports', code: imports });
  const skip = new Set(sectionIndexes(sections, 'imports'));
  sections.forEach((section, i) => {
    if (!skip.has(i)) units.push({ name: section.name, code: section.code });
  });
  return units;
}

/** A script's fingerprint (sha256, hex), to tell whether it changed since it was checked. */
export function codeHash(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}
