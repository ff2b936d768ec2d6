import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGoal } from '../../../src/bots/discord/command.js';
import { parseCommandText } from '../../../src/bots/slack/command.js';
import { startPlan } from '../../../src/pipeline/start-from.js';
import { loadTemplates, SHIPPED_TEMPLATES_DIR } from '../../../src/templates/loader.js';
import { resolveStart, splitFromPrefix } from '../../../src/templates/start.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('template catalog', () => {
  it("adds the operator's templates, lets one replace a shipped name, and reports broken folders", () => {
    dir = mkdtempSync(join(tmpdir(), 'ff2-tpl-'));
    cpSync(join(SHIPPED_TEMPLATES_DIR, 'cli-files'), join(dir, 'my-files'), { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, 'my-files', 'template.json'), 'utf8'));
    writeFileSync(join(dir, 'my-files', 'template.json'), JSON.stringify({ ...json, name: 'my-files' }));
    cpSync(join(SHIPPED_TEMPLATES_DIR, 'chart'), join(dir, 'chart'), { recursive: true });
    const chart = JSON.parse(readFileSync(join(dir, 'chart', 'template.json'), 'utf8'));
    writeFileSync(join(dir, 'chart', 'template.json'), JSON.stringify({ ...chart, description: 'ours' }));
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'template.json'), '{"name": "broken"}');
    writeFileSync(join(dir, 'broken', 'script.py'), 'print(1)\n');

    const catalog = loadTemplates(dir);
    expect(catalog.templates.find((t) => t.name === 'my-files')?.origin).toBe('operator');
    expect(catalog.templates.find((t) => t.name === 'chart')).toMatchObject({
      origin: 'operator',
      description: 'ours',
    });
    expect(catalog.templates.filter((t) => t.name === 'chart')).toHaveLength(1);
    expect(catalog.problems).toEqual([
      { dir: join(dir, 'broken'), problem: expect.stringContaining('template.json: description') },
    ]);
    expect(loadTemplates(join(dir, 'missing')).problems[0]?.problem).toBe('the folder does not exist');
  });

  it('reads from:<name> and the template option, refuses unknown names and non-.py scripts', () => {
    expect(splitFromPrefix('from:chart plot sales by month')).toEqual({
      from: 'chart',
      goal: 'plot sales by month',
    });
    expect(splitFromPrefix('plot from: a file')).toEqual({ from: null, goal: 'plot from: a file' });
    expect(resolveStart({ goal: 'x', template: 'Chart' }, undefined)).toMatchObject({
      start: { kind: 'template' },
    });
    expect(resolveStart({ goal: 'from:nope x' }, undefined)).toEqual({
      error: expect.stringContaining('There is no template "nope"'),
    });
    expect(
      resolveStart({ goal: 'x', script: { name: 'notes.txt', bytes: new Uint8Array([1]) } }, undefined),
    ).toEqual({ error: expect.stringContaining('not a Python file') });
  });

  it('keeps an attached script byte for byte in the starting state', () => {
    const text = 'import sys\r\n\tx = 1\r\n';
    const plan = startPlan({ kind: 'script', name: 'a.py', bytes: new TextEncoder().encode(text) });
    expect(plan.stage).toBe('import_script');
    expect(plan.patch.base?.code).toBe(text);
  });

  it('reads "templates" as the list command on Slack and Discord, and longer text as a goal', () => {
    expect(parseCommandText('templates')).toEqual({ kind: 'command', command: 'templates', args: '' });
    expect(parseGoal('templates')).toEqual({ kind: 'command', command: 'templates', args: '' });
    expect(parseCommandText('templates for invoices')).toEqual({
      kind: 'start',
      goal: 'templates for invoices',
    });
  });
});
