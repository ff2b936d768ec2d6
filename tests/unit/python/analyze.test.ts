import { describe, expect, it } from 'vitest';
import { createPythonToolchain } from '../../../src/python/toolchain.js';

const toolchain = createPythonToolchain({ python: '/usr/bin/python3' });
const analyze = (source: string) => toolchain.analyze(source);
const spans = async (source: string) =>
  (await analyze(source)).sections.map((s) => `${s.kind}:${s.name}:${s.startLine}-${s.endLine}`);

describe('python analyser: sections', () => {
  it('splits imports, globals, functions, classes and main with exact line spans', async () => {
    const source = [
      'import os', //                      1
      'from sys import argv', //           2
      '', //                               3
      'LIMIT = 10', //                     4
      'names = []', //                     5
      '', //                               6
      'def load(path):', //                7
      '    return open(path).read()', //   8
      '', //                               9
      'class Store:', //                   10
      '    def add(self, x):', //          11
      '        names.append(x)', //        12
      '', //                               13
      'def main():', //                    14
      '    print(load(argv[1]))', //       15
      '', //                               16
      'if __name__ == "__main__":', //     17
      '    main()', //                     18
    ].join('\n');
    expect(await spans(source)).toEqual([
      'imports:imports:1-2',
      'globals:globals:4-5',
      'function:load:7-8',
      'class:Store:10-12',
      'main:main:14-18',
    ]);
  });

  it('starts a function at its first decorator and keeps return annotations', async () => {
    const source = [
      'import functools',
      '',
      '@functools.lru_cache()',
      '@staticmethod',
      'def f(x: int) -> str:',
      '    return str(x)',
      '',
    ].join('\n');
    expect(await spans(source)).toEqual(['imports:imports:1-1', 'function:f:3-6']);
  });

  it('keeps nested and async defs inside their enclosing function', async () => {
    const source = [
      'async def outer(a) -> list[int]:',
      '    def inner(b):',
      '        def innermost():',
      '            return b',
      '        return innermost()',
      '    async def helper():',
      '        return 1',
      '    return [inner(a), await helper()]',
      'def after():',
      '    pass',
    ].join('\n');
    expect(await spans(source)).toEqual(['function:outer:1-8', 'function:after:9-10']);
  });

  it('puts a leading docstring and try/except ImportError imports in the imports section', async () => {
    const source = [
      '"""A tool.', //               1
      '', //                         2
      'It does things."""', //       3
      'import json', //              4
      'try:', //                     5
      '    import numpy as np', //   6
      'except ImportError:', //      7
      '    np = None', //            8
      'COLOR = "#1e1e1e"', //        9
    ].join('\n');
    expect(await spans(source)).toEqual(['imports:imports:1-8', 'globals:globals:9-9']);
  });

  it('keeps the main guard alone when the function it calls is not adjacent', async () => {
    const source = [
      'def main():',
      '    helper()',
      'def helper():',
      '    pass',
      'if __name__ == "__main__":',
      '    main()',
    ].join('\n');
    expect(await spans(source)).toEqual(['function:main:1-2', 'function:helper:3-4', 'main:main:5-6']);
  });

  it('merges main() and the guard that calls it through sys.exit', async () => {
    const source = [
      'import sys',
      'def run() -> int:',
      '    return 0',
      'if __name__ == "__main__":',
      '    sys.exit(run())',
    ].join('\n');
    expect(await spans(source)).toEqual(['imports:imports:1-1', 'main:main:2-5']);
  });

  it('keeps CRLF line endings, tabs and hex colours intact: section slices rebuild the source', async () => {
    const source = [
      'import tkinter as tk',
      'BG = "#1e1e1e"  # dark #2',
      'FG = "#00ff00"',
      'def paint(w):',
      '\tw.configure(bg=BG, fg="#ff0000")',
      '\treturn "#1"',
      'if __name__ == "__main__":',
      '\tpaint(tk.Tk())',
      '',
    ].join('\r\n');
    const analysis = await analyze(source);
    expect(analysis.syntaxError).toBeNull();
    const lines = source.split('\r\n');
    const rebuilt = analysis.sections
      .map((s) => lines.slice(s.startLine - 1, s.endLine).join('\r\n'))
      .join('\r\n');
    expect(`${rebuilt}\r\n`).toBe(source);
    expect(rebuilt).toContain('"#1e1e1e"');
    expect(rebuilt).toContain('\tw.configure(bg=BG, fg="#ff0000")');
    // The guard calls paint(), so paint joins the main section.
    expect(analysis.sections.map((s) => s.name)).toEqual(['imports', 'globals', 'main']);
  });
});

describe('python analyser: problems', () => {
  it('reports a syntax error with line and column, and still maps lines to rough sections', async () => {
    const source = [
      'import os',
      '',
      'def good():',
      '    return 1',
      '',
      'def broken(:',
      '    return 2',
      '',
    ].join('\n');
    const analysis = await analyze(source);
    expect(analysis.syntaxError).toMatchObject({ line: 6 });
    expect(analysis.syntaxError?.col).toBeGreaterThan(0);
    expect(analysis.syntaxError?.message).toBeTruthy();
    expect(analysis.sections.map((s) => `${s.kind}:${s.name}:${s.startLine}-${s.endLine}`)).toEqual([
      'imports:imports:1-1',
      'function:good:3-4',
      'function:broken:6-7',
    ]);
  });

  it('lists names used but never bound, imported or builtin, with how they are used', async () => {
    const source = [
      'import os',
      'def f(a):',
      '    total = len(a) + offset',
      '    np.array(a)',
      '    return helper(total, os.sep)',
      'for i in range(3):',
      '    print(i, __name__)',
    ].join('\n');
    const { undefinedNames } = await analyze(source);
    expect(undefinedNames).toEqual([
      { name: 'offset', line: 3, attribute: false, called: false },
      { name: 'np', line: 4, attribute: true, called: false },
      { name: 'helper', line: 5, attribute: false, called: true },
    ]);
  });

  it('does not flag names bound by comprehensions, except clauses, with, walrus or global', async () => {
    const source = [
      'def f(xs):',
      '    global counter',
      '    counter = 1',
      '    ys = [y for y in xs if (z := y)]',
      '    with open("f") as fh:',
      '        pass',
      '    try:',
      '        pass',
      '    except ValueError as err:',
      '        print(err, z, fh, ys)',
      'print(counter)',
    ].join('\n');
    expect((await analyze(source)).undefinedNames).toEqual([]);
  });

  it('reports duplicate definitions, top-level and methods', async () => {
    const source = [
      'def a():',
      '    pass',
      'class K:',
      '    def m(self): return 1',
      '    def m(self): return 2',
      'def a():',
      '    return 1',
    ].join('\n');
    expect((await analyze(source)).duplicates.sort()).toEqual(['K.m', 'a']);
  });

  it('finds placeholders: pass, ellipsis, NotImplementedError and TODO markers', async () => {
    const source = [
      'import abc', //                                      1
      'def a():', //                                        2
      '    """Docstring only counts as pass."""', //       3
      '    pass', //                                        4
      'def b(): ...', //                                    5
      'def c():', //                                        6
      '    raise NotImplementedError("later")', //         7
      'def d():', //                                        8
      '    return 1  # TODO: handle errors', //            9
      'class Base(abc.ABC):', //                            10
      '    @abc.abstractmethod', //                         11
      '    def run(self): ...', //                          12
      'class Oops(Exception):', //                          13
      '    pass', //                                        14
      'COLOR = "#123456"  # not a todo', //                15
    ].join('\n');
    expect((await analyze(source)).placeholders).toEqual([
      { name: 'a', line: 2, kind: 'pass' },
      { name: 'b', line: 5, kind: 'ellipsis' },
      { name: 'c', line: 6, kind: 'not_implemented' },
      { name: 'd', line: 9, kind: 'todo' },
    ]);
  });

  it('says which imports the sandbox interpreter can import, without importing them', async () => {
    const source = [
      'import json, csv, sqlite3',
      'import tkinter.ttk',
      'import os.path',
      'from collections import Counter',
      'import surely_not_installed_pkg',
      'from xml.nonexistent import thing',
      'def later():',
      '    import another_missing_one',
    ].join('\n');
    const found = (await analyze(source)).imports.map((i) => `${i.module}:${i.line}:${i.available}`);
    expect(found).toEqual([
      'csv:1:true',
      'json:1:true',
      'sqlite3:1:true',
      'tkinter.ttk:2:true',
      'os.path:3:true',
      'collections:4:true',
      'surely_not_installed_pkg:5:false',
      'xml.nonexistent:6:false',
      'another_missing_one:8:false',
    ]);
  });

  it('never executes the analysed source', async () => {
    const source = 'import os\nos.system("touch /tmp/ff2-analyser-executed")\nraise SystemExit(3)\n';
    const analysis = await analyze(source);
    expect(analysis.sections.map((s) => s.kind)).toEqual(['imports', 'globals']);
    const { existsSync } = await import('node:fs');
    expect(existsSync('/tmp/ff2-analyser-executed')).toBe(false);
  });
});

describe('python analyser: guards, BOM and exits (issue 12 item 8)', () => {
  it('a guard that does more than call one function is the main section alone', async () => {
    const source = [
      'def greet(n):',
      '    print(n)',
      '',
      'if __name__ == "__main__":',
      '    for n in range(3):',
      '        greet(n)',
      '',
    ].join('\n');
    expect(await spans(source)).toEqual(['function:greet:1-2', 'main:main:4-6']);
  });

  it('absorbs the function when the guard only calls it: main(), sys.exit(main()), raise SystemExit(main())', async () => {
    for (const call of ['main()', 'sys.exit(main())', 'raise SystemExit(main())']) {
      const source = [
        'import sys',
        '',
        'def main():',
        '    return 0',
        '',
        'if __name__ == "__main__":',
        `    ${call}`,
        '',
      ].join('\n');
      expect(await spans(source)).toEqual(['imports:imports:1-1', 'main:main:3-7']);
    }
  });

  it('reads a UTF-8 BOM and a coding line as Python does', async () => {
    const bom = '\ufeffimport sys\n\ndef main():\n    return 0\n';
    const analysed = await analyze(bom);
    expect(analysed.syntaxError).toBeNull();
    expect(analysed.sections.map((s) => s.name)).toEqual(['imports', 'main']);
    const coded = '# -*- coding: latin-1 -*-\nNAME = "caf\u00e9"\n';
    expect((await analyze(coded)).syntaxError).toBeNull();
  });

  it('lists sys.exit messages and argparse parsers with their lines', async () => {
    const source = [
      'import argparse, sys',
      'def parse(argv):',
      '    p = argparse.ArgumentParser()',
      '    return p.parse_args(argv)',
      'def check(rows):',
      '    if not rows:',
      '        sys.exit(f"bad input: {len(rows)} rows")',
      '',
    ].join('\n');
    const a = await analyze(source);
    expect(a.parsers).toEqual([3]);
    expect(a.exits).toEqual([{ line: 7, message: 'bad input: ' }]);
  });
});
