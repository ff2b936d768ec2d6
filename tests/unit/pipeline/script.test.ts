import { describe, expect, it } from 'vitest';
import {
  diffScripts,
  diffStats,
  joinSections,
  placeSection,
  sectionCode,
  sectionsOf,
  stripFences,
  unitsOf,
} from '../../../src/pipeline/script.js';
import type { Analysis, Section } from '../../../src/python/types.js';

const CODE = `import sys

LIMIT = 3


# helper comment
def helper(x):
    return x + 1


def main():
    print(helper(LIMIT))


if __name__ == "__main__":
    sys.exit(main())
`;

function analysis(sections: Section[]): Analysis {
  return { syntaxError: null, sections, undefinedNames: [], duplicates: [], placeholders: [], imports: [] };
}

const SPANS: Section[] = [
  { kind: 'imports', name: 'imports', startLine: 1, endLine: 1 },
  { kind: 'globals', name: 'globals', startLine: 3, endLine: 3 },
  { kind: 'function', name: 'helper', startLine: 7, endLine: 8 },
  { kind: 'main', name: 'main', startLine: 11, endLine: 16 },
];

describe('the script model', () => {
  it('splits by the analyser spans, leading comments going with the next section', () => {
    const sections = sectionsOf(CODE, analysis(SPANS));
    expect(sections.map((s) => s.code)).toEqual([
      'import sys',
      'LIMIT = 3',
      '# helper comment\ndef helper(x):\n    return x + 1',
      'def main():\n    print(helper(LIMIT))\n\n\nif __name__ == "__main__":\n    sys.exit(main())',
    ]);
  });

  it('treats imports and the leading globals as one unit', () => {
    const sections = sectionsOf(CODE, analysis(SPANS));
    expect(sectionCode(sections, 'imports')).toBe('import sys\n\nLIMIT = 3');
    expect(unitsOf(sections).map((u) => u.name)).toEqual(['imports', 'helper', 'main']);
  });

  it('replaces one section by its span, leaving the rest byte for byte', () => {
    const sections = sectionsOf(CODE, analysis(SPANS));
    const next = placeSection(sections, { replace: 'helper' }, 'def helper(x):\n    return x * 2');
    expect(next).toContain('def helper(x):\n    return x * 2\n\n\ndef main():');
    expect(next).not.toContain('x + 1');
    expect(next).toContain('import sys\n\n\nLIMIT = 3');
  });

  it('keeps replacement text literally (no regex template surprises)', () => {
    const sections = sectionsOf(CODE, analysis(SPANS));
    const tricky = 'def helper(x):\n    return re.sub(r"\\d+", "$1 \\\\n", x)';
    expect(placeSection(sections, { replace: 'helper' }, tricky)).toContain(tricky);
  });

  it('inserts a new function before main', () => {
    const sections = sectionsOf(CODE, analysis(SPANS));
    const next = placeSection(sections, { beforeMain: true }, 'def added():\n    return 1');
    expect(next.indexOf('def added')).toBeGreaterThan(next.indexOf('def helper'));
    expect(next.indexOf('def added')).toBeLessThan(next.indexOf('def main'));
  });

  it('joins sections with two blank lines and one final newline', () => {
    expect(joinSections(['a = 1\n\n', '', '\ndef f():\n    pass   '])).toBe(
      'a = 1\n\n\ndef f():\n    pass\n',
    );
  });

  it('diffs versions as a unified diff with line counts', () => {
    const diff = diffScripts('a = 1\nb = 2\n', 'a = 1\nb = 3\n', 'v1/script.py', 'v2/script.py');
    expect(diff).toContain('--- v1/script.py');
    expect(diff).toContain('+b = 3');
    expect(diffStats(diff)).toEqual({ added: 1, removed: 1 });
    expect(diffScripts('same', 'same', 'a', 'b')).toBe('');
  });

  it('takes code out of a Markdown fence and expands tabs', () => {
    expect(stripFences('Here:\n```python\ndef f():\n\treturn 1\n```\n')).toBe('def f():\n    return 1\n');
    expect(stripFences('def f(): pass')).toBe('def f(): pass');
  });
});
