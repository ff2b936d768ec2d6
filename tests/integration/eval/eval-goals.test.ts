/**
 * The goal suite itself: every goal.json is valid, the suite covers the kinds of goals people
 * ask for, and every reference.py passes its own hidden checks in the real sandbox (a goal whose
 * `requires` the sandbox cannot import is skipped, saying why).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/eval/checks.js';
import { GOAL_CATEGORIES, GoalError, loadGoal, loadGoals } from '../../../src/eval/goal.js';
import { missingModules, skipReason } from '../../../src/eval/requires.js';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { defaultLimits } from '../../../src/sandbox/limits.js';

const UID_BASE = 65501;
const ROOT = join(import.meta.dirname, '../../..');
const goals = loadGoals('eval/goals', ROOT);
const sandbox = new ProcessSandbox({
  python: '/usr/bin/python3',
  slots: 2,
  limits: defaultLimits({ timeoutS: 30, memoryMb: 1024 }),
  uidBase: UID_BASE,
});
afterAll(() => sandbox.close());

describe('the eval goal suite', () => {
  it('has at least 25 valid goals covering every category, ambiguous ones with answers', () => {
    expect(goals.length).toBeGreaterThanOrEqual(25);
    expect(new Set(goals.map((g) => g.category))).toEqual(new Set(GOAL_CATEGORIES));
    const ambiguous = goals.filter((g) => g.category === 'ambiguous');
    expect(ambiguous.length).toBeGreaterThanOrEqual(3);
    for (const g of ambiguous) {
      expect(g.expectQuestions).toBe(true);
      expect(g.answers.length).toBeGreaterThan(0);
    }
    expect(goals.some((g) => g.runMode === 'gui' && g.checks.some((c) => c.window))).toBe(true);
    expect(goals.some((g) => g.requires.includes('pandas'))).toBe(true);
    expect(goals.some((g) => g.requires.includes('matplotlib'))).toBe(true);
    expect(goals.some((g) => g.inputs.length > 0)).toBe(true);
  });

  it('rejects an invalid goal with the file and the field named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff2-goal-'));
    try {
      cpSync(join(ROOT, 'eval/goals/word-count'), join(dir, 'bad'), { recursive: true });
      writeFileSync(
        join(dir, 'bad/goal.json'),
        JSON.stringify({ title: 't', category: 'poetry', goal: 'g', checks: [] }),
      );
      expect(() => loadGoal(join(dir, 'bad'))).toThrow(GoalError);
      expect(() => loadGoal(join(dir, 'bad'))).toThrow(/goal\.json: category/);
      writeFileSync(
        join(dir, 'bad/goal.json'),
        JSON.stringify({
          title: 't',
          category: 'text',
          goal: 'g',
          checks: [{ name: 'c', files: ['absent.txt'] }],
        }),
      );
      expect(() => loadGoal(join(dir, 'bad'))).toThrow(/names absent\.txt/);
      writeFileSync(
        join(dir, 'bad/goal.json'),
        JSON.stringify({
          title: 't',
          category: 'text',
          goal: 'g',
          answers: [{ match: '(', answer: 'a', question: 'q' }],
          checks: [{ name: 'c' }],
        }),
      );
      expect(() => loadGoal(join(dir, 'bad'))).toThrow(/answers\.0\.match/);
      writeFileSync(
        join(dir, 'bad/goal.json'),
        JSON.stringify({
          title: 't',
          category: 'text',
          goal: 'g',
          answers: [{ match: '(', answer: 'a', question: 'q' }],
          checks: [{ name: 'c' }],
        }),
      );
      expect(() => loadGoal(join(dir, 'bad'))).toThrow(/answers\.0\.match/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(goals.map((g) => [g.id, g] as const))('reference of %s', (_id, goal) => {
    it('passes its own hidden checks in the sandbox', async ({ skip }) => {
      const missing = await missingModules(sandbox, goal);
      if (missing.length > 0) skip(skipReason(missing));
      const verdicts = await runChecks(sandbox, goal, goal.reference);
      expect(verdicts.filter((v) => !v.passed)).toEqual([]);
      expect(verdicts).toHaveLength(goal.checks.length);
    });
  });

  it('fails the checks of a reference with a bug (the checks can fail)', async () => {
    const goal = goals.find((g) => g.id === 'roman-numerals')!;
    const broken = goal.reference.replace('(900, "CM"), ', '');
    const verdicts = await runChecks(sandbox, goal, broken);
    expect(verdicts.find((v) => v.name === '1994')).toMatchObject({ passed: false });
    expect(verdicts.find((v) => v.name === '1994')!.why).toMatch(/not exactly "MCMXCIV"/);
  });
});
