import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionState } from '../../../src/pipeline/types.js';
import { ensureVenv } from '../../../src/python/venv.js';
import { runCliCaptured } from '../../fakes/cli.js';
import { isPng, SALES_CSV, SALES_GOAL, SALES_OUTLINE, salesChartScript } from '../../fakes/sales-chart.js';
import type { ScriptedCall } from '../../fakes/scripted-llm.js';
import { buildWheel } from '../../fakes/wheel.js';
import { type Harness, startHarness } from './harness.js';

/**
 * Designs stay within what is installed, end to end: the real script environment (Debian's
 * pandas/matplotlib, an operator venv), the real analyser and sandbox, the scripted model.
 */

let h: Harness | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0)) c();
});

const POLARS_IMPORTS = ['sys', 'polars as pl', 'matplotlib.pyplot as plt'];
const STDLIB_OUTLINE = { ...SALES_OUTLINE, imports: ['sys', 'csv', 'matplotlib.pyplot as plt'] };

function state(): SessionState {
  return h!.session().state as SessionState;
}

function editOf(call: ScriptedCall): string {
  return call.messages.map((m) => m.content).join('\n');
}

/** Revised outlines as a model would write them: whatever the edit asked for. */
function reviseByEdit(call: ScriptedCall) {
  const text = editOf(call);
  if (text.includes('Use pandas (installed) instead of polars')) return SALES_OUTLINE;
  if (text.includes('standard library')) return STDLIB_OUTLINE;
  return { ...SALES_OUTLINE, imports: POLARS_IMPORTS };
}

describe('packages the design needs', { timeout: 120_000 }, () => {
  it('asks at the outline gate, before any code, when the outline imports an uninstalled package', async () => {
    h = await startHarness(salesChartScript({ imports: POLARS_IMPORTS, revise: reviseByEdit }));
    await h.chat.startSession(SALES_GOAL);
    await h.app.idle();
    expect(h.session().stage).toBe('approve_outline');
    const outlinePrompt = editOf(h.llm.calls.find((c) => c.task === 'outline')!);
    expect(outlinePrompt).toContain('--- script environment ---');
    expect(outlinePrompt).toMatch(/pandas \d/);
    expect(outlinePrompt).toMatch(/matplotlib \d/);
    const gate = h.chat.texts().at(-1)!;
    expect(gate).toContain('polars, which is not installed');
    expect(h.chat.findButton('Use the standard library instead')).toBeDefined();
    expect(h.chat.findButton('Use pandas instead of polars')).toBeDefined();
    // No venv configured: no install request; and Approve is not offered while polars is missing.
    expect(h.chat.findButton('Ask an admin to install polars')).toBeUndefined();
    expect(h.chat.findButton('Approve')).toBeUndefined();
    expect(state().missingPackages.map((m) => m.module)).toEqual(['polars']);
    expect(h.llm.calls.some((c) => c.task === 'generate')).toBe(false);

    // "Use the standard library instead" revises the outline with exactly that instruction.
    await h.chat.click('Use the standard library instead');
    await h.app.idle();
    const revise = h.llm.calls.find((c) => c.task === 'revise_outline')!;
    expect(editOf(revise)).toMatch(/Do not use polars: not installed.*standard library/);
    expect(h.session().stage).toBe('approve_outline');
    expect(state().outline!.imports).toEqual(STDLIB_OUTLINE.imports);
    expect(state().missingPackages).toEqual([]);
    expect(h.chat.findButton('Approve')).toBeDefined();
    expect(h.llm.calls.some((c) => c.task === 'generate')).toBe(false);
  });

  it('asks again when the model ignores the choice, so the session never waits without a working button', async () => {
    h = await startHarness(
      salesChartScript({
        imports: POLARS_IMPORTS,
        revise: () => ({ ...SALES_OUTLINE, imports: POLARS_IMPORTS }),
      }),
    );
    await h.chat.startSession(SALES_GOAL);
    await h.app.idle();
    await h.chat.click('Use the standard library instead');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_outline');
    expect(state().missingPackages.map((m) => m.module)).toEqual(['polars']);
    expect(h.chat.texts().at(-1)).toContain('polars, which is not installed');
    await h.chat.say('forget polars, just use the csv module');
    await h.app.idle();
    expect(h.llm.calls.filter((c) => c.task === 'revise_outline')).toHaveLength(2);
    await h.chat.click('Cancel');
    await h.app.idle();
    expect(h.session().stage).toBe('cancelled');
  });

  it('"Use pandas instead of polars" revises to pandas, and the plot journey then passes with the chart posted', async () => {
    h = await startHarness(salesChartScript({ imports: POLARS_IMPORTS, revise: reviseByEdit }));
    await h.chat.startSession(SALES_GOAL);
    await h.app.idle();
    await h.chat.click('Use pandas instead of polars');
    await h.app.idle();
    expect(editOf(h.llm.calls.find((c) => c.task === 'revise_outline')!)).toContain(
      'Use pandas (installed) instead of polars',
    );
    expect(state().outline!.imports).toContain('pandas as pd');
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.session().stage, h.chat.texts().slice(-2).join('\n')).toBe('approve_run');
    await h.chat.attach('sales.csv', new TextEncoder().encode(SALES_CSV));
    await h.app.idle();
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage, h.chat.texts().slice(-2).join('\n')).toBe('give_feedback');
    const report = h.chat.sent.find((s) => s.message.title === 'Run 1')!;
    const chart = report.message.files!.find((f) => f.name === 'chart.png')!;
    expect(chart.mime).toBe('image/png');
    expect(isPng(chart.bytes)).toBe(true);
    expect(report.message.files![0]!.name).toBe('chart.png');
    expect(report.message.text).toContain('Images: chart.png');
    expect(report.message.text).toContain('North: 300');
  });

  it('lets an approver ask an admin to install it, and "Check again" sees the installed package', async () => {
    const venv = mkdtempSync(join(tmpdir(), 'ff2-venv-'));
    const wheels = mkdtempSync(join(tmpdir(), 'ff2-wheels-'));
    cleanups.push(() => rmSync(venv, { recursive: true, force: true }));
    cleanups.push(() => rmSync(wheels, { recursive: true, force: true }));
    rmSync(venv, { recursive: true, force: true });
    await ensureVenv(venv, '/usr/bin/python3', { log: () => {}, env: {} });
    buildWheel(wheels, 'polars', '0.0.1', 'def version():\n    return "tiny polars"\n');
    h = await startHarness(salesChartScript({ imports: POLARS_IMPORTS, revise: reviseByEdit }), {
      FF2_PYTHON_VENV: venv,
      FF2_APPROVERS: 'terminal:admin',
    });
    await h.chat.startSession(SALES_GOAL);
    await h.app.idle();
    expect(h.chat.findButton('Ask an admin to install polars')).toBeDefined();

    // (A chat owner who is not an approver is refused: tests/unit/pipeline/packages.test.ts. This
    // in-process front door is the operator's own and counts as an approver, like the terminal.)
    expect(h.chat.texts().some((t) => t.includes('ff2 python add'))).toBe(false);

    await h.chat.click('Ask an admin to install polars', { user: 'admin' });
    await h.app.idle();
    const request = h.chat.texts().at(-1)!;
    expect(request).toContain('```\nff2 python add polars\n```');
    expect(h.session().stage).toBe('approve_outline');

    // "Check again" before the install: still missing, the choices again, no model call.
    await h.chat.click('Check again', { user: 'admin' });
    await h.app.idle();
    expect(state().missingPackages.map((m) => m.module)).toEqual(['polars']);

    // The admin runs exactly that command (offline, from a wheel folder).
    const add = await runCliCaptured(
      ['python', 'add', 'polars', '--find-links', wheels],
      { FF2_DATA_DIR: h.dir, FF2_PYTHON_VENV: venv },
      h.dir,
    );
    expect(add.code, add.err).toBe(0);
    expect(add.out).toContain('scripts can now import: polars 0.0.1');

    await h.chat.click('Check again', { user: 'admin' });
    await h.app.idle();
    expect(state().missingPackages).toEqual([]);
    expect(h.chat.findButton('Approve')).toBeDefined();
    expect(h.llm.calls.filter((c) => c.task === 'revise_outline')).toHaveLength(0);
  });

  it('sends an uninstalled import the code slipped in back to the outline gate instead of rewriting the import', async () => {
    h = await startHarness(
      salesChartScript({
        section: (name, call) =>
          name === 'imports' && call.task === 'generate'
            ? 'import sys\n\nimport polars as pl\nimport matplotlib.pyplot as plt\nimport pandas as pd\n\nDEFAULT_INPUT = "sales.csv"\nCHART_FILE = "chart.png"'
            : undefined,
      }),
    );
    await h.chat.startSession(SALES_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_outline');
    expect(h.chat.texts().at(-1)).toContain('The script imports polars, which is not installed');
    expect(h.llm.calls.some((c) => c.task === 'qa_fix')).toBe(false);
    expect(h.chat.findButton('Use pandas instead of polars')).toBeDefined();
  });

  it('sends a run that fails on an uninstalled module to the choices, not to an import rewrite', async () => {
    h = await startHarness(
      salesChartScript({
        section: (name) =>
          name === 'load_sales'
            ? 'def load_sales(path):\n    """Read the sales CSV."""\n    engine = __import__("polars")\n    return engine.read_csv(path)'
            : undefined,
      }),
    );
    await h.chat.startSession(SALES_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_outline');
    expect(h.chat.texts().at(-1)).toContain('The run failed: the script needs polars');
    expect(h.llm.calls.some((c) => c.task === 'repair')).toBe(false);
    // Choosing pandas rewrites the design and the script, which then waits at "Run it?" again.
    await h.chat.click('Use pandas instead of polars');
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_run');
  });

  it('tells a requests-based design at the outline gate that runs have no network', async () => {
    h = await startHarness(salesChartScript({ imports: ['sys', 'requests', 'pandas as pd'] }));
    await h.chat.startSession('download the sales report from our API and plot it');
    await h.app.idle();
    expect(h.chat.texts().at(-1)).toContain('scripts run without network access');
    expect(h.chat.findButton('Approve')).toBeDefined();
  });
});
