import { describe, expect, it } from 'vitest';
import { attribute } from '../../../src/eval/attribute.js';
import { judgeText } from '../../../src/eval/checks.js';
import { compareRuns, renderComparison } from '../../../src/eval/compare.js';
import { scriptedAnswers } from '../../../src/eval/drive.js';
import { median, summarise, wilson } from '../../../src/eval/summary.js';
import type { AttemptResult, EvalRun } from '../../../src/eval/types.js';
import type { SessionRow } from '../../../src/store/types.js';

function result(
  goalId: string,
  outcome: AttemptResult['outcome'],
  extra: Partial<AttemptResult> = {},
): AttemptResult {
  return {
    goalId,
    category: goalId.split('-')[0]!,
    attempt: 1,
    sessionId: 's',
    outcome,
    passed: outcome === 'passed',
    stoppedAt: outcome === 'passed' ? 'shipped' : 'repair',
    reason: '',
    calls: 6,
    promptTokens: 100,
    completionTokens: 50,
    costUsd: 0.001,
    wallMs: 1000,
    repairs: 0,
    versions: 1,
    detail: { shipped: outcome === 'passed', checks: [], asked: 0, answered: 0, expectQuestions: false },
    ...extra,
  };
}

function session(stage: string, state: Record<string, unknown> = {}): SessionRow {
  return {
    id: 's1',
    threadKey: 't',
    platform: 'terminal',
    ownerId: 'o',
    goal: 'g',
    stage,
    status: 'waiting',
    version: 1,
    state,
    createdAt: 0,
    updatedAt: 0,
  };
}

describe('eval figures', () => {
  it('computes the Wilson 95% interval', () => {
    const { low, high } = wilson(8, 10);
    expect(low).toBeCloseTo(0.4902, 3);
    expect(high).toBeCloseTo(0.9433, 3);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 0 });
    expect(wilson(10, 10).high).toBe(1);
  });

  it('summarises pass rate, medians over solved attempts, categories and failure stages', () => {
    const s = summarise([
      result('csv-a', 'passed', { calls: 6 }),
      result('csv-b', 'passed', { calls: 10 }),
      result('text-c', 'failed', { stoppedAt: 'outline', calls: 2 }),
      result('text-d', 'skipped'),
      result('text-e', 'error', { stoppedAt: 'eval_error' }),
    ]);
    expect(s.overall).toMatchObject({ passed: 2, total: 4, rate: 0.5 });
    expect(s.skipped).toBe(1);
    expect(s.errors).toBe(1);
    expect(s.solved?.calls).toBe(8);
    expect(s.categories).toEqual([
      { category: 'csv', passed: 2, total: 2, rate: 1 },
      { category: 'text', passed: 0, total: 2, rate: 0 },
    ]);
    expect(s.stages).toEqual([
      { stage: 'eval_error', count: 1 },
      { stage: 'outline', count: 1 },
    ]);
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe('hidden check text judgement', () => {
  it('checks contains, notContains, equals (trailing space tolerant) and regex', () => {
    expect(judgeText('stdout', { contains: ['a'], notContains: [], ignoreCase: false }, 'abc')).toBe('');
    expect(judgeText('stdout', { contains: ['z'], notContains: [], ignoreCase: false }, 'abc')).toMatch(
      /lacks "z"/,
    );
    expect(judgeText('stdout', { contains: [], notContains: ['b'], ignoreCase: false }, 'abc')).toMatch(
      /contains "b"/,
    );
    expect(
      judgeText('out', { contains: [], notContains: [], equals: 'x\ny', ignoreCase: false }, 'x  \ny\n\n'),
    ).toBe('');
    expect(judgeText('out', { contains: [], notContains: [], equals: 'x', ignoreCase: false }, 'X')).toMatch(
      /not exactly/,
    );
    expect(judgeText('out', { contains: [], notContains: [], equals: 'x', ignoreCase: true }, 'X')).toBe('');
    expect(judgeText('out', { contains: [], notContains: [], regex: '^b$', ignoreCase: false }, 'a\nb')).toBe(
      '',
    );
    expect(
      judgeText('out', { contains: [], notContains: [], regex: '^c$', ignoreCase: false }, 'a\nb'),
    ).toMatch(/does not match/);
  });
});

describe('stage attribution', () => {
  it('passes only a shipped session whose hidden checks all pass', () => {
    const end = { kind: 'shipped' as const, reason: '', session: session('shipped') };
    expect(attribute(end, [{ name: 'a', passed: true, why: '' }])).toEqual({
      outcome: 'passed',
      passed: true,
      stoppedAt: 'shipped',
      reason: '',
    });
    expect(attribute(end, [{ name: 'a', passed: false, why: 'no' }])).toMatchObject({
      outcome: 'failed',
      passed: false,
      stoppedAt: 'hidden_checks',
      reason: 'a: no',
    });
  });

  it('attributes a paused session to the stage that paused, and gates to the stage before them', () => {
    const paused = session('retry_paused', { paused: { stage: 'revise_outline', reason: 'bad answer' } });
    expect(attribute({ kind: 'stopped', reason: 'x', session: paused }, [])).toMatchObject({
      stoppedAt: 'outline',
      reason: 'bad answer',
    });
    const repairs = session('after_repairs', { lastRun: { problem: 'check 1: KeyError' } });
    expect(attribute({ kind: 'stopped', reason: 'spent', session: repairs }, [])).toMatchObject({
      stoppedAt: 'repair',
      reason: 'spent; last run: check 1: KeyError',
    });
    expect(
      attribute(
        {
          kind: 'stopped',
          reason: 'r',
          session: session('budget_paused', { paused: { stage: 'generate', reason: 'budget' } }),
        },
        [],
      ),
    ).toMatchObject({ stoppedAt: 'budget' });
    expect(attribute({ kind: 'timeout', reason: 'slow', session: paused }, [])).toMatchObject({
      stoppedAt: 'timeout',
    });
    const cancelled = { ...session('cancelled', { note: 'cancelled by x' }), status: 'cancelled' as const };
    expect(attribute({ kind: 'ended', reason: '', session: cancelled }, [], 'generate')).toMatchObject({
      stoppedAt: 'generate',
      reason: 'cancelled by x',
    });
  });
});

describe('scripted answers', () => {
  it('answers each matching question by number and leaves the others to their defaults', () => {
    const goal = { answers: [{ match: 'direction|which way', answer: 'F to C', question: 'q' }] };
    expect(scriptedAnswers(goal, ['What output format?', 'Which way to convert?'])).toEqual(['2. F to C']);
    expect(scriptedAnswers(goal, ['Anything else?'])).toEqual([]);
  });
});

describe('compare', () => {
  it('lists goals that started or stopped passing', () => {
    const run = (id: string): EvalRun => ({
      id,
      model: id,
      options: { goals: 'g', attempts: 1, parallel: 1, budgetUsd: null, out: '/o', model: null },
      status: 'done',
      startedAt: 0,
      finishedAt: 1,
    });
    const c = compareRuns(
      run('A'),
      [result('csv-a', 'passed'), result('csv-b', 'failed'), result('csv-c', 'passed')],
      run('B'),
      [
        result('csv-a', 'failed', { stoppedAt: 'outline' }),
        result('csv-b', 'passed'),
        result('csv-c', 'passed'),
      ],
    );
    expect(c.goals.map((g) => [g.goalId, g.change])).toEqual([
      ['csv-a', 'broken'],
      ['csv-b', 'fixed'],
      ['csv-c', 'same'],
    ]);
    const text = renderComparison(c);
    expect(text).toContain('- csv-a: now fails (A 1/1 at shipped; B 0/1 at outline)');
    expect(text).toContain('+ csv-b: now passes');
    expect(text).toContain('1 goal(s) unchanged.');
  });
});

describe('stage attribution without checks', () => {
  it('does not pass a shipped session that had no script to check', () => {
    const end = { kind: 'shipped' as const, reason: '', session: session('shipped') };
    expect(attribute(end, [])).toMatchObject({
      outcome: 'failed',
      passed: false,
      stoppedAt: 'hidden_checks',
    });
  });
});
