/**
 * An outline read off a script's own sections (names, signatures, docstrings, calls): for the
 * person's attached script and for hand edits. Pure: the analysis and description in, the
 * outline out. What the code cannot say (spec, main flow, smoke checks) comes from the previous
 * outline when there is one.
 */
import type { Analysis, ScriptDescription } from '../python/types.js';
import { type Outline, outlineSchema, type SmokeCheck } from './types.js';

const MAX_FUNCTIONS = 20;

export function outlineFromScript(
  analysis: Analysis,
  description: ScriptDescription,
  previous: Outline | null,
  fileName: string,
): Outline {
  const described = description.ok ? description : null;
  const keep = (name: string) => previous?.functions.find((f) => f.name === name);
  const functions = described
    ? described.functions
        .filter((f) => f.name !== 'main')
        .map((f) => {
          const before = keep(f.name);
          return {
            name: f.name,
            params: f.params,
            returns: f.returns || before?.returns || 'see the code',
            purpose: f.doc || before?.purpose || `${f.name}, as written in the script`,
            calls: f.calls.filter((c) => c !== 'main'),
          };
        })
    : analysis.sections
        .filter((s) => s.kind === 'function')
        .map((s) => ({
          name: s.name,
          params: keep(s.name)?.params ?? '',
          returns: keep(s.name)?.returns ?? 'see the code',
          purpose: keep(s.name)?.purpose ?? `${s.name}, as written in the script`,
          calls: [],
        }));
  const classes = described
    ? described.classes.map((c) => ({
        name: c.name,
        purpose: c.doc || `${c.name}, as written in the script`,
        methods: c.methods,
      }))
    : analysis.sections
        .filter((s) => s.kind === 'class')
        .map((s) => ({ name: s.name, purpose: `${s.name}, as written in the script`, methods: [] }));
  const imports = described ? described.imports : [...new Set(analysis.imports.map((i) => i.module))];
  const tops = imports.map((i) => i.split('.')[0]);
  const gui = tops.includes('tkinter');
  const argv = tops.includes('argparse') || tops.includes('sys');
  const main = described?.functions.find((f) => f.name === 'main');
  return outlineSchema.parse({
    spec: previous?.spec ?? (described?.doc || `The script ${fileName}, as attached.`),
    imports,
    globals: (described?.constants ?? []).map((name) => ({
      name,
      purpose: previous?.globals.find((g) => g.name === name)?.purpose ?? 'module constant',
    })),
    functions: functions.filter((f) => /^[A-Za-z_]\w*$/.test(f.name)).slice(0, MAX_FUNCTIONS),
    classes,
    mainFlow: previous?.mainFlow ?? [main?.doc || 'run the script as written'],
    runMode: previous?.runMode ?? (gui ? 'gui' : 'cli'),
    inputs: previous?.inputs ?? { argv, stdin: false, files: false },
    smokeChecks: previous?.smokeChecks ?? defaultChecks(tops.includes('argparse'), gui),
  });
}

function defaultChecks(argparse: boolean, gui: boolean): SmokeCheck[] {
  if (argparse && !gui)
    return [
      {
        description: 'shows its usage',
        args: ['--help'],
        stdin: '',
        files: [],
        expectExit: 0,
        expectOutput: ['usage'],
      },
    ];
  return [
    {
      description: gui ? 'opens its window' : 'runs without arguments',
      args: [],
      stdin: '',
      files: [],
      expectExit: 0,
      expectOutput: [],
    },
  ];
}

/** What changed between two outlines' definitions, for "outline updated" messages. */
export function definitionChanges(
  before: Outline | null,
  after: Outline,
): { added: string[]; removed: string[] } {
  const names = (o: Outline | null) =>
    new Set([...(o?.functions ?? []), ...(o?.classes ?? [])].map((d) => d.name));
  const was = names(before);
  const now = names(after);
  return { added: [...now].filter((n) => !was.has(n)), removed: [...was].filter((n) => !now.has(n)) };
}
