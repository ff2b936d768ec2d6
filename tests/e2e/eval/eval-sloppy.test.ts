/**
 * `ff2 eval` with a sloppy model: each planted fault ends its attempt at the stage it belongs to
 * (interview, outline, generate, review, repair, hidden checks), the goals it answers well pass,
 * nothing crashes, both reports are written, and `ff2 eval compare` against an oracle run names
 * exactly the goals the sloppy model broke.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { planReference } from '../../../src/eval/reference-plan.js';
import type { AttemptResult } from '../../../src/eval/types.js';
import { createPythonToolchain } from '../../../src/python/toolchain.js';
import { EXPECTED_STOP, type SloppyFault, SloppyModel } from '../../fakes/eval-sloppy.js';
import { evalSandbox, runEvalCli, subsetSuite } from './helpers.js';

const UID_BASE = 65701;
const FAULTS: Record<string, SloppyFault | undefined> = {
  'word-count': 'interview',
  'top-words': 'outline',
  'csv-filter': 'generate',
  'json-flatten': 'review',
  'roman-numerals': 'repair',
  'log-levels': 'hidden',
  'csv-dedupe': undefined,
  'sha256-files': undefined,
};
const sandbox = evalSandbox(UID_BASE);
const dir = mkdtempSync(join(tmpdir(), 'ff2-eval-sloppy-'));
const suite = subsetSuite(Object.keys(FAULTS));
const python = createPythonToolchain({ python: '/usr/bin/python3' });
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(dirname(suite), { recursive: true, force: true });
});

type Report = {
  run: { id: string; status: string };
  results: AttemptResult[];
  report: { html: string; markdown: string };
};

describe('ff2 eval with a sloppy model', { timeout: 600_000 }, () => {
  it('attributes every failure to its stage and crashes on none', async () => {
    const sloppy = await runEvalCli(['--goals', suite, '--json', '--parallel', '2'], dir, {
      sandbox,
      modelName: 'sloppy',
      modelFor: async (goal) => new SloppyModel(goal, await planReference(goal, python), FAULTS[goal.id]),
    });
    expect(sloppy.code).toBe(0);
    const report = JSON.parse(sloppy.out) as Report;
    expect(report.run.status).toBe('done');
    expect(report.results).toHaveLength(Object.keys(FAULTS).length);
    for (const r of report.results) {
      const fault = FAULTS[r.goalId];
      expect(r.outcome, `${r.goalId}: ${r.reason}`).not.toBe('error');
      if (fault === undefined) {
        expect({ goal: r.goalId, outcome: r.outcome }).toEqual({ goal: r.goalId, outcome: 'passed' });
        continue;
      }
      expect({ goal: r.goalId, outcome: r.outcome, stoppedAt: r.stoppedAt }).toEqual({
        goal: r.goalId,
        outcome: 'failed',
        stoppedAt: EXPECTED_STOP[fault],
      });
      expect(r.reason).not.toBe('');
    }
    const byGoal = Object.fromEntries(report.results.map((r) => [r.goalId, r]));
    expect(byGoal['roman-numerals']!.repairs).toBe(3);
    expect(byGoal['roman-numerals']!.reason).toMatch(/sloppy model bug/);
    expect(byGoal['log-levels']!.detail.shipped).toBe(true);
    expect(byGoal['log-levels']!.reason).toMatch(/app\.log: stdout lacks "INFO: 3"/);
    expect(byGoal['top-words']!.reason).toMatch(/unusable answer/);

    const html = readFileSync(report.report.html, 'utf8');
    expect(html).toContain('Where failed attempts stopped');
    expect(html).toContain('hidden_checks');
    expect(html).toContain('sloppy model bug');
    const md = readFileSync(report.report.markdown, 'utf8');
    expect(md).toContain('| 25% (2/8;');
    expect(md).toMatch(/\| repair \| 1 \|/);

    // The same goals with the oracle, then compare: exactly the faulted goals differ.
    const oracle = await runEvalCli(
      ['--goals', suite, '--json', '--parallel', '2', '--model', 'oracle'],
      dir,
      { sandbox },
    );
    expect(oracle.code).toBe(0);
    const oracleRun = (JSON.parse(oracle.out) as Report).run.id;
    const compared = await runEvalCli(['compare', report.run.id, oracleRun], dir, { sandbox });
    expect(compared.code).toBe(0);
    for (const [goal, fault] of Object.entries(FAULTS))
      if (fault) expect(compared.out).toContain(`+ ${goal}: now passes`);
      else expect(compared.out).not.toContain(`${goal}:`);
    expect(compared.out).toContain('2 goal(s) unchanged.');
  });
});

describe('ff2 eval --timeout-s', { timeout: 120_000 }, () => {
  it('stops an attempt whose model hangs, attributes it to timeout, and cancels its session', async () => {
    const one = subsetSuite(['word-count']);
    try {
      const run = await runEvalCli(['--goals', one, '--json', '--timeout-s', '3'], dir, {
        sandbox,
        modelName: 'sloppy',
        modelFor: async (goal) => new SloppyModel(goal, await planReference(goal, python), 'hang'),
      });
      expect(run.code).toBe(0);
      const [result] = (JSON.parse(run.out) as Report).results;
      expect(result).toMatchObject({
        outcome: 'failed',
        stoppedAt: 'timeout',
        reason: 'the attempt ran past 3 s',
      });
      const db = new Database(join(dir, 'ff2.db'), { readonly: true });
      try {
        const row = db.prepare('SELECT status FROM sessions WHERE id = ?').get(result!.sessionId);
        expect(row).toEqual({ status: 'cancelled' });
      } finally {
        db.close();
      }
    } finally {
      rmSync(dirname(one), { recursive: true, force: true });
    }
  });
});

describe('ff2 eval interrupted', { timeout: 300_000 }, () => {
  it('keeps the finished attempts, and --resume runs only the rest', async () => {
    const two = subsetSuite(['csv-filter', 'word-count']);
    try {
      const stop = new AbortController();
      const first = await runEvalCli(
        ['--goals', two, '--json', '--model', 'oracle', '--parallel', '1'],
        dir,
        {
          sandbox,
          signal: stop.signal,
          modelName: 'oracle',
          // Ctrl+C while the second goal is in its interview.
          modelFor: async (goal) => {
            if (goal.id === 'word-count') stop.abort();
            return new SloppyModel(goal, await planReference(goal, python), undefined);
          },
        },
      );
      expect(first.code).toBe(1);
      const partial = JSON.parse(first.out) as Report;
      expect(partial.run.status).toBe('interrupted');
      expect(partial.results.map((r) => [r.goalId, r.outcome])).toEqual([['csv-filter', 'passed']]);

      const resumed = await runEvalCli(['--resume', partial.run.id, '--json'], dir, { sandbox });
      expect(resumed.code).toBe(0);
      const done = JSON.parse(resumed.out) as Report;
      expect(done.run).toMatchObject({ id: partial.run.id, status: 'done' });
      expect(done.results.map((r) => [r.goalId, r.outcome])).toEqual([
        ['csv-filter', 'passed'],
        ['word-count', 'passed'],
      ]);
      // The first attempt was not run again.
      expect(done.results[0]!.sessionId).toBe(partial.results[0]!.sessionId);
    } finally {
      rmSync(dirname(two), { recursive: true, force: true });
    }
  });
});
