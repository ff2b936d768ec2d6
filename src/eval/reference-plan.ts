/**
 * A reference solution seen the way ff2 builds scripts: the outline it implies and the code of
 * each section (imports, classes, functions, main), split with the same analyser the pipeline
 * uses. The oracle model answers from this.
 */
import type { Outline, SmokeCheck } from '../pipeline/types.js';
import type { PythonToolchain } from '../python/types.js';
import type { Check, Goal } from './goal.js';

export interface ReferencePlan {
  outline: Outline;
  /** Code by section name ("imports", each class/function, "main"). */
  sections: Record<string, string>;
}

/** @throws Error when the reference does not parse or has no main section. */
export async function planReference(goal: Goal, python: PythonToolchain): Promise<ReferencePlan> {
  const analysis = await python.analyze(goal.reference);
  if (analysis.syntaxError) throw new Error(`${goal.id}/reference.py does not parse`);
  const lines = goal.reference.split('\n');
  const code = (start: number, end: number) =>
    lines
      .slice(start - 1, end)
      .join('\n')
      .trim();
  const sections: Record<string, string> = {};
  const head: string[] = [];
  const functions: Outline['functions'] = [];
  const classes: Outline['classes'] = [];
  for (const s of analysis.sections) {
    const text = code(s.startLine, s.endLine);
    if (s.kind === 'imports' || s.kind === 'globals') head.push(text);
    else if (s.kind === 'main') sections.main = text;
    else if (s.kind === 'class') {
      sections[s.name] = text;
      classes.push({
        name: s.name,
        purpose: docstring(text),
        methods: [...text.matchAll(/^ {4}def (\w+)/gm)].map((m) => m[1]!),
      });
    } else {
      sections[s.name] = text;
      const signature = signatureOf(text, s.name);
      functions.push({ name: s.name, ...signature, purpose: docstring(text), calls: [] });
    }
  }
  if (!sections.main) throw new Error(`${goal.id}/reference.py has no main() with the __main__ guard`);
  sections.imports = head.join('\n\n');
  const names = new Set(functions.map((f) => f.name));
  for (const f of functions)
    f.calls = [...names].filter((n) => n !== f.name && new RegExp(`\\b${n}\\(`).test(sections[f.name]!));
  const headEnd = Math.max(0, ...analysis.sections.filter((s) => s.kind === 'imports').map((s) => s.endLine));
  const outline: Outline = {
    spec: goal.goal,
    imports: [...new Set(analysis.imports.filter((i) => i.line <= headEnd).map((i) => i.module))],
    globals: [...sections.imports.matchAll(/^([A-Z_][A-Z0-9_]*)\s*=/gm)].map((m) => ({
      name: m[1]!,
      purpose: 'a module constant',
    })),
    functions,
    classes,
    mainFlow: [docstring(sections.main) || 'run the script'],
    runMode: goal.runMode,
    inputs: {
      argv: goal.checks.some((c) => c.args.length > 0),
      stdin: goal.checks.some((c) => c.stdin !== ''),
      files: goal.checks.some((c) => c.files.length > 0 || c.write.length > 0),
    },
    smokeChecks: smokeChecks(goal),
  };
  return { outline, sections };
}

/** The goal's first checks as the outline's smoke checks (what a model that knew them would write). */
function smokeChecks(goal: Goal): SmokeCheck[] {
  const usable = goal.checks.filter((c) => !c.window).slice(0, 3);
  if (usable.length === 0)
    return [
      { description: 'the window opens', args: [], stdin: '', files: [], expectExit: 0, expectOutput: [] },
    ];
  return usable.map((c: Check) => ({
    description: c.name,
    args: c.args,
    stdin: c.stdin,
    files: [
      ...c.files.map((name) => ({ name, content: Buffer.from(goal.fileBytes[name]!).toString('utf8') })),
      ...c.write,
    ],
    expectExit: c.exit,
    expectOutput: c.stdout?.ignoreCase ? [] : (c.stdout?.contains ?? []),
  }));
}

function docstring(code: string): string {
  return /"""\s*([^\n"]+)/.exec(code)?.[1]?.trim() ?? '';
}

/** Parameters and return annotation of `def name(...)`, scanning brackets so defaults may hold them. */
function signatureOf(code: string, name: string): { params: string; returns: string } {
  const start = code.indexOf(`def ${name}(`);
  if (start < 0) return { params: '', returns: 'None' };
  let depth = 0;
  let i = start + `def ${name}`.length;
  for (; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) break;
    }
  }
  const params = code
    .slice(start + `def ${name}(`.length, i)
    .replace(/\s+/g, ' ')
    .trim();
  const returns = /^\s*->\s*([^:]+):/.exec(code.slice(i + 1))?.[1]?.trim() ?? 'see purpose';
  return { params, returns };
}
