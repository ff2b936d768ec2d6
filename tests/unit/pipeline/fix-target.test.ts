import { describe, expect, it } from 'vitest';
import { chooseFixTarget, type FixRun } from '../../../src/pipeline/fix-target.js';
import type { Analysis, Section } from '../../../src/python/types.js';
import type { TracebackFrame } from '../../../src/sandbox/types.js';

// A script laid out as: imports 1-3, globals 5-6, load 8-12, class Shape 14-20, globals 22-22, main 24-30.
const SECTIONS: Section[] = [
  { kind: 'imports', name: 'imports', startLine: 1, endLine: 3 },
  { kind: 'globals', name: 'globals', startLine: 5, endLine: 6 },
  { kind: 'function', name: 'load', startLine: 8, endLine: 12 },
  { kind: 'class', name: 'Shape', startLine: 14, endLine: 20 },
  { kind: 'globals', name: 'globals', startLine: 22, endLine: 22 },
  { kind: 'main', name: 'main', startLine: 24, endLine: 30 },
];

function analysis(extra: Partial<Analysis> = {}): Analysis {
  return {
    syntaxError: null,
    sections: SECTIONS,
    undefinedNames: [],
    duplicates: [],
    placeholders: [],
    imports: [],
    ...extra,
  };
}

const frame = (line: number, fn: string, file = '/sandbox/main.py'): TracebackFrame => ({
  file,
  line,
  function: fn,
});

function failed(
  type: string,
  message: string,
  frames: TracebackFrame[],
  status: FixRun['status'] = 'error',
): FixRun {
  return { status, exitCode: status === 'error' ? 1 : null, traceback: { type, message, frames } };
}

describe('chooseFixTarget', () => {
  it('returns null for a successful run of code that parses', () => {
    expect(chooseFixTarget(analysis(), { status: 'ok', exitCode: 0, traceback: null })).toBeNull();
  });

  it('targets the section holding a syntax error', () => {
    const a = analysis({ syntaxError: { line: 10, col: 5, message: "'(' was never closed" } });
    const run = failed('SyntaxError', "'(' was never closed", [frame(10, '<module>')]);
    expect(chooseFixTarget(a, run)).toMatchObject({ kind: 'function', name: 'load' });
    expect(chooseFixTarget(a, run)?.reason).toContain('line 10');
  });

  it('targets imports for a NameError on a module-like name (np.array)', () => {
    const a = analysis({ undefinedNames: [{ name: 'np', line: 9, attribute: true, called: false }] });
    const run = failed('NameError', "name 'np' is not defined", [frame(26, '<module>'), frame(9, 'load')]);
    expect(chooseFixTarget(a, run)).toMatchObject({ kind: 'imports', name: 'imports' });
  });

  it('treats a well-known module alias as module-like even when the analyser saw no attribute use', () => {
    const run = failed('NameError', "name 'json' is not defined", [frame(9, 'load')]);
    expect(chooseFixTarget(analysis(), run)).toMatchObject({ kind: 'imports' });
  });

  it('targets a new function for a called name that is defined nowhere', () => {
    const a = analysis({ undefinedNames: [{ name: 'parse_row', line: 10, attribute: false, called: true }] });
    const run = failed('NameError', "name 'parse_row' is not defined. Did you mean: 'parse'?", [
      frame(10, 'load'),
    ]);
    expect(chooseFixTarget(a, run)).toMatchObject({ kind: 'new_function', name: 'parse_row' });
  });

  it('targets globals for any other undefined name', () => {
    const a = analysis({
      undefinedNames: [{ name: 'THRESHOLD', line: 11, attribute: false, called: false }],
    });
    const run = failed('NameError', "name 'THRESHOLD' is not defined", [frame(11, 'load')]);
    expect(chooseFixTarget(a, run)).toMatchObject({ kind: 'globals', name: 'globals' });
  });

  it('targets imports for ModuleNotFoundError and says the package is not installed in the sandbox', () => {
    const run = failed('ModuleNotFoundError', "No module named 'requests'", [frame(2, '<module>')]);
    const target = chooseFixTarget(analysis(), run);
    expect(target).toMatchObject({ kind: 'imports', name: 'imports' });
    expect(target?.reason).toContain('"requests" is not installed in the sandbox');
  });

  it('targets imports for ImportError', () => {
    const run = failed(
      'ImportError',
      "cannot import name 'magic' from 'json' (/usr/lib/python3.11/json/__init__.py)",
      [frame(3, '<module>')],
    );
    const target = chooseFixTarget(analysis(), run);
    expect(target).toMatchObject({ kind: 'imports' });
    expect(target?.reason).toContain('sandbox');
  });

  it('targets the function holding the deepest frame of the script, ignoring library frames', () => {
    const run = failed('ValueError', 'bad row', [
      frame(25, '<module>'),
      frame(27, 'main'),
      frame(10, 'load'),
      frame(340, 'reader', '/usr/lib/python3.11/csv.py'),
    ]);
    expect(chooseFixTarget(analysis(), run)).toMatchObject({ kind: 'function', name: 'load' });
  });

  it('targets the enclosing top-level function for an error in a nested function', () => {
    const run = failed('KeyError', "'x'", [frame(27, 'main'), frame(11, 'inner')]);
    expect(chooseFixTarget(analysis(), run)).toMatchObject({ kind: 'function', name: 'load' });
  });

  it('targets the class for an exception raised in a method', () => {
    const run = failed('AttributeError', "'Shape' object has no attribute 'w'", [
      frame(27, 'main'),
      frame(17, 'area'),
    ]);
    const target = chooseFixTarget(analysis(), run);
    expect(target).toMatchObject({ kind: 'class', name: 'Shape' });
    expect(target?.reason).toContain('method');
  });

  it('targets main for an exception in the main section', () => {
    const run = failed('TypeError', 'unsupported operand', [frame(28, 'main')]);
    expect(chooseFixTarget(analysis(), run)).toMatchObject({ kind: 'main', name: 'main' });
  });

  it('targets globals for a module-level exception in globals before main', () => {
    const run = failed('ZeroDivisionError', 'division by zero', [frame(6, '<module>')]);
    expect(chooseFixTarget(analysis(), run)).toMatchObject({ kind: 'globals', name: 'globals' });
  });

  it('targets main for a module-level exception after main, or outside any section', () => {
    const after: Section[] = [...SECTIONS, { kind: 'globals', name: 'globals', startLine: 32, endLine: 33 }];
    expect(
      chooseFixTarget(analysis({ sections: after }), failed('OSError', 'x', [frame(33, '<module>')])),
    ).toMatchObject({
      kind: 'main',
    });
    expect(chooseFixTarget(analysis(), failed('OSError', 'x', [frame(31, '<module>')]))).toMatchObject({
      kind: 'main',
    });
  });

  it('targets the innermost script function of a faulthandler dump on timeout', () => {
    const run = failed(
      'Timeout',
      'still running after 0:00:02.5',
      [frame(26, '<module>'), frame(28, 'main'), frame(9, 'load')],
      'timeout',
    );
    const target = chooseFixTarget(analysis(), run);
    expect(target).toMatchObject({ kind: 'function', name: 'load' });
    expect(target?.reason).toContain('still running');
  });

  it('without a traceback: main for limits, the model chooses for a bare non-zero exit', () => {
    expect(chooseFixTarget(analysis(), { status: 'error', exitCode: 3, traceback: null })).toBeNull();
    expect(chooseFixTarget(analysis(), { status: 'timeout', exitCode: null, traceback: null })).toMatchObject(
      {
        kind: 'main',
      },
    );
  });

  it('an argparse usage error targets the section that builds the parser (issue 12 item 6)', () => {
    const stderr =
      'usage: main.py [-h] --key KEY input\nmain.py: error: the following arguments are required: input\n';
    const target = chooseFixTarget(analysis({ parsers: [10] }), {
      status: 'error',
      exitCode: 2,
      traceback: null,
      stderr,
    });
    expect(target).toMatchObject({ kind: 'function', name: 'load' });
    expect(target?.reason).toContain('the following arguments are required');
  });

  it('sys.exit("message") targets the section holding that call, not main', () => {
    const target = chooseFixTarget(analysis({ exits: [{ line: 16, message: 'bad input: ' }] }), {
      status: 'error',
      exitCode: 1,
      traceback: null,
      stderr: 'bad input: row 3 has 2 columns\n',
    });
    expect(target).toMatchObject({ kind: 'class', name: 'Shape' });
  });
});
