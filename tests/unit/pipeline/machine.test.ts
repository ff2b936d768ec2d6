import { describe, expect, it } from 'vitest';
import { nextStage, statusOf, TRANSITIONS } from '../../../src/pipeline/machine.js';
import { FINAL_STAGES, initialState, WAITING_STAGES, WORKING_STAGES } from '../../../src/pipeline/types.js';

describe('the transition table', () => {
  it('has an entry for every stage and only leads to known stages', () => {
    const all = new Set<string>([...WORKING_STAGES, ...WAITING_STAGES, ...FINAL_STAGES]);
    expect(new Set(Object.keys(TRANSITIONS))).toEqual(all);
    for (const edges of Object.values(TRANSITIONS))
      for (const to of Object.values(edges)) expect(all.has(to)).toBe(true);
  });

  it('moves from run to repair on a failed run and to the person when repairs are spent', () => {
    const state = initialState();
    expect(nextStage('run', 'failed', state)).toBe('repair');
    expect(nextStage('run', 'exhausted', state)).toBe('after_repairs');
    expect(nextStage('run', 'passed', state)).toBe('give_feedback');
  });

  it('cancels from anywhere, pauses, and resumes where it paused', () => {
    const state = { ...initialState(), paused: { stage: 'generate' as const, reason: 'budget' } };
    expect(nextStage('generate', 'cancel', state)).toBe('cancelled');
    expect(nextStage('generate', 'pause_budget', state)).toBe('budget_paused');
    expect(nextStage('budget_paused', 'resume', state)).toBe('generate');
    expect(nextStage('answer_questions', 'stay', state)).toBe('answer_questions');
  });

  it('refuses a result the table does not allow', () => {
    expect(() => nextStage('interview', 'ship', initialState())).toThrow(/no transition/);
    expect(() => nextStage('retry_paused', 'resume', initialState())).toThrow(/without a paused stage/);
  });

  it('stores working stages as working and gates as waiting', () => {
    expect(statusOf('generate')).toBe('working');
    expect(statusOf('approve_run')).toBe('waiting');
    expect(statusOf('shipped')).toBe('done');
    expect(statusOf('cancelled')).toBe('cancelled');
  });
});
