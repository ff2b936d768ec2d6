import { describe, expect, it } from 'vitest';
import { checkSection, planSections, qaFindings } from '../../../src/pipeline/checks.js';
import type { Analysis } from '../../../src/python/types.js';
import { REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';

const empty: Analysis = {
  syntaxError: null,
  sections: [],
  undefinedNames: [],
  duplicates: [],
  placeholders: [],
  imports: [],
};

describe('static checks', () => {
  it('plans imports, each function in outline order, then main', () => {
    expect(planSections(REFERENCE_OUTLINE).map((s) => s.name)).toEqual([
      'imports',
      'parse_args',
      'read_rows',
      'key_indexes',
      'find_duplicates',
      'write_rows',
      'write_report',
      'main',
    ]);
  });

  it('flags a function section that defines something else too', () => {
    const analysis: Analysis = {
      ...empty,
      sections: [
        { kind: 'function', name: 'read_rows', startLine: 1, endLine: 3 },
        { kind: 'function', name: 'extra', startLine: 4, endLine: 5 },
      ],
      placeholders: [{ name: 'extra', line: 5, kind: 'pass' }],
    };
    expect(checkSection({ kind: 'function', name: 'read_rows' }, analysis)).toEqual([
      'it must define only read_rows, not extra',
      'placeholder (pass) at line 5 in extra',
    ]);
  });

  it('needs the guard in the main section', () => {
    const analysis: Analysis = {
      ...empty,
      sections: [{ kind: 'function', name: 'main', startLine: 1, endLine: 2 }],
    };
    expect(checkSection({ kind: 'main', name: 'main' }, analysis)[0]).toContain('guard');
  });

  it('groups QA findings by section: missing functions, undefined names, unavailable imports', () => {
    const analysis: Analysis = {
      ...empty,
      sections: [
        { kind: 'imports', name: 'imports', startLine: 1, endLine: 3 },
        { kind: 'function', name: 'parse_args', startLine: 5, endLine: 9 },
        { kind: 'main', name: 'main', startLine: 11, endLine: 20 },
      ],
      undefinedNames: [{ name: 'KEEP', line: 7 }],
      imports: [{ module: 'pandas', line: 2, available: false }],
    };
    const findings = qaFindings(analysis, REFERENCE_OUTLINE);
    expect(findings.find((f) => f.name === 'parse_args')?.problems[0]).toContain('"KEEP"');
    expect(findings.find((f) => f.name === 'imports')?.problems[0]).toContain('pandas');
    expect(findings.find((f) => f.name === 'read_rows')).toMatchObject({ missing: true });
    expect(findings.some((f) => f.name === 'main')).toBe(false);
  });
});
