/**
 * `ff2 eval --model oracle --json` over the whole suite, through the real pipeline and sandbox:
 * every goal that can run here passes, each with exactly the pipeline's own number of model calls
 * (interview + outline + one per section + review), ambiguous goals are asked about and answered
 * from their scripts, and the run leaves report.html, report.md and an eval_runs row.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGoals } from '../../../src/eval/goal.js';
import { planReference } from '../../../src/eval/reference-plan.js';
import type { AttemptResult } from '../../../src/eval/types.js';
import { createPythonToolchain } from '../../../src/python/toolchain.js';
import { evalSandbox, ROOT, runEvalCli } from './helpers.js';

const UID_BASE = 65601;
const sandbox = evalSandbox(UID_BASE);
const dir = mkdtempSync(join(tmpdir(), 'ff2-eval-oracle-'));
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ff2 eval --model oracle', { timeout: 600_000 }, () => {
  it('passes every goal with the pipeline’s own call counts and writes the report', async () => {
    const out = join(dir, 'out');
    const {
      code,
      out: stdout,
      err,
    } = await runEvalCli(['--model', 'oracle', '--json', '--parallel', '2', '--out', out], dir, { sandbox });
    expect(err).toMatch(/30\/30|\d+\/\d+ · \d+ passed · 0 failed/);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      run: { id: string; status: string; model: string };
      results: AttemptResult[];
      summary: { overall: { passed: number; total: number } };
      report: { html: string; markdown: string };
    };
    const goals = loadGoals('eval/goals', ROOT);
    expect(report.run).toMatchObject({ status: 'done', model: 'oracle' });
    expect(report.results).toHaveLength(goals.length);

    const python = createPythonToolchain({ python: '/usr/bin/python3' });
    for (const r of report.results) {
      const goal = goals.find((g) => g.id === r.goalId)!;
      if (r.outcome === 'skipped') {
        expect(goal.requires.length, `${r.goalId} skipped: ${r.reason}`).toBeGreaterThan(0);
        expect(r.reason).toMatch(/sandbox cannot import/);
        // Only where the host lacks the package (scripts/setup.sh installs them): never a sandbox gap.
        const imports = spawnSync('/usr/bin/python3', ['-c', `import ${goal.requires.join(', ')}`]);
        expect(imports.status, `${r.goalId} skipped though the host imports ${goal.requires}`).not.toBe(0);
        continue;
      }
      expect({ goal: r.goalId, outcome: r.outcome, passed: r.passed, reason: r.reason }).toEqual({
        goal: r.goalId,
        outcome: 'passed',
        passed: true,
        reason: '',
      });
      const plan = await planReference(goal, python);
      const sections = Object.keys(plan.sections).length;
      expect(r.calls, `${r.goalId}: interview + outline + ${sections} sections + review`).toBe(sections + 3);
      expect(r.repairs).toBe(0);
      expect(r.versions).toBe(1);
      expect(r.detail.checks.every((c) => c.passed)).toBe(true);
      if (goal.expectQuestions) {
        expect(r.detail.asked).toBe(goal.answers.length);
        expect(r.detail.answered).toBe(goal.answers.length);
        const transcript = readFileSync(join(out, r.detail.transcript!), 'utf8');
        for (const a of goal.answers) expect(transcript).toContain(a.answer);
      }
    }
    expect(report.summary.overall.passed).toBe(report.summary.overall.total);
    expect(report.summary.overall.total).toBeGreaterThanOrEqual(25);

    // The attached input file reached the session before the first run.
    const attached = report.results.find((r) => r.goalId === 'csv-summary')!;
    expect(readFileSync(join(out, attached.detail.transcript!), 'utf8')).toMatch(/orders\.csv/);

    const html = readFileSync(report.report.html, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!vega\.github\.io|www\.w3\.org)/);
    for (const g of goals) expect(html).toContain(g.id);
    const md = readFileSync(report.report.markdown, 'utf8');
    expect(md).toMatch(/\| 100% \(\d+\/\d+; 95% CI \d+%–100%\)/);
    expect(existsSync(join(out, 'results.json'))).toBe(true);

    const db = new Database(join(dir, 'ff2.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT status, model FROM eval_runs WHERE id = ?').get(report.run.id);
      expect(row).toEqual({ status: 'done', model: 'oracle' });
      const count = db
        .prepare('SELECT COUNT(*) AS n FROM eval_results WHERE run_id = ?')
        .get(report.run.id) as { n: number };
      expect(count.n).toBe(goals.length);
    } finally {
      db.close();
    }

    const compared = await runEvalCli(['compare', report.run.id, report.run.id], dir, { sandbox });
    expect(compared.code).toBe(0);
    expect(compared.out).toContain('No goal changed its result.');
  });
});
