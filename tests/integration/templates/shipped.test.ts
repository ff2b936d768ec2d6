import { afterAll, describe, expect, it } from 'vitest';
import { qaFindings } from '../../../src/pipeline/checks.js';
import { judge } from '../../../src/pipeline/stages/run.js';
import { createPythonToolchain } from '../../../src/python/toolchain.js';
import { loadTemplates } from '../../../src/templates/loader.js';
import { testSandbox } from '../sandbox/helpers.js';

const UID_BASE = 66501;
const sandbox = testSandbox(UID_BASE, 1);
afterAll(() => sandbox.close());
const python = createPythonToolchain({ python: '/usr/bin/python3' });

const catalog = loadTemplates();

describe('shipped templates', () => {
  it('are at least the six kinds people ask for, all valid', () => {
    expect(catalog.problems).toEqual([]);
    expect(catalog.templates.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'cli-files',
        'csv-transform',
        'log-summary',
        'json-reshape',
        'tk-form',
        'chart',
      ]),
    );
    expect(catalog.templates.find((t) => t.name === 'tk-form')?.runMode).toBe('gui');
  });

  for (const template of catalog.templates) {
    describe(template.name, () => {
      it('has exactly the outlined sections and passes QA', async () => {
        const analysis = await python.analyze(template.code);
        expect(analysis.syntaxError).toBeNull();
        const defs = analysis.sections
          .filter((s) => s.kind === 'function' || s.kind === 'class')
          .map((s) => s.name);
        const outlined = [
          ...template.outline.classes.map((c) => c.name),
          ...template.outline.functions.filter((f) => f.name !== 'main').map((f) => f.name),
        ];
        expect(defs.sort()).toEqual(outlined.sort());
        expect(analysis.sections.filter((s) => s.kind === 'main')).toHaveLength(1);
        expect(analysis.sections[0]?.kind).toBe('imports');
        expect(qaFindings(analysis, template.outline)).toEqual([]);
      });

      it('runs green in the sandbox with its sample inputs', async () => {
        for (const check of template.outline.smokeChecks) {
          const result = await sandbox.run({
            script: template.code,
            args: check.args,
            stdin: check.stdin,
            inputFiles: Object.fromEntries(
              check.files.map((f) => [f.name, new TextEncoder().encode(f.content)]),
            ),
            gui: template.runMode === 'gui',
            limits: { timeoutMs: 15_000 },
          });
          expect(judge(check, result), `${check.description}\n${result.stderr}`).toBeNull();
          if (template.runMode === 'gui') expect(result.screenshot).not.toBeNull();
        }
      }, 60_000);
    });
  }
});
