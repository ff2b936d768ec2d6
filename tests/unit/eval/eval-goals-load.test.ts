import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoalError, loadGoals } from '../../../src/eval/goal.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('loading goals', () => {
  it('takes a suite folder, one goal folder, or a glob over folder names', () => {
    expect(loadGoals('eval/goals', ROOT).length).toBeGreaterThanOrEqual(25);
    expect(loadGoals('eval/goals/word-count', ROOT).map((g) => g.id)).toEqual(['word-count']);
    const csv = loadGoals('eval/goals/csv-*', ROOT).map((g) => g.id);
    expect(csv.length).toBeGreaterThan(1);
    expect(csv.every((id) => id.startsWith('csv-'))).toBe(true);
    expect([...csv].sort()).toEqual(csv);
  });

  it('says when nothing matches', () => {
    expect(() => loadGoals('eval/goals/zzz-*', ROOT)).toThrow(GoalError);
    expect(() => loadGoals('eval/nowhere', ROOT)).toThrow(/no such goal folder/);
    expect(() => loadGoals('src', ROOT)).toThrow(/no goal folders/);
  });
});
