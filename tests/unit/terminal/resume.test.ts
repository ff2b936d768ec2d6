import { describe, expect, it } from 'vitest';
import { gateMessages } from '../../../src/bots/terminal/resume.js';
import { initialState } from '../../../src/pipeline/types.js';
import { REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';

const actions = (stage: string, state: unknown) =>
  gateMessages(stage, state, 's1').map((m) => (m.buttons ?? []).flat().map((b) => b.action));

describe('gateMessages (re-showing a waiting gate on --resume)', () => {
  it('rebuilds each gate with the pipeline wording and buttons', () => {
    const state = { ...initialState(), outline: REFERENCE_OUTLINE, code: 'print(1)\n', qaReport: 'QA: ok' };
    expect(actions('approve_outline', state)).toEqual([['approve', 'edit', 'cancel']]);
    const run = gateMessages('approve_run', state, 's1');
    expect(run[0]).toMatchObject({ title: 'Ready to run', sessionId: 's1' });
    expect(new TextDecoder().decode(run[0]!.files![0]!.bytes)).toBe('print(1)\n');
    expect(actions('give_feedback', state)).toEqual([['ship', 'run_again', 'cancel']]);
    expect(actions('budget_paused', state)).toEqual([['continue', 'cancel']]);
    expect(actions('retry_paused', state)).toEqual([['retry', 'cancel']]);
    expect(actions('after_repairs', state)).toEqual([
      ['more_rounds', 'ship', 'change_checks', 'feedback', 'cancel'],
    ]);
  });

  it('asks the open interview questions again', () => {
    const state = {
      ...initialState(),
      questions: [
        { question: 'Tabs?', choices: ['yes', 'no'], default: 'yes' },
        { question: 'Header?', choices: ['yes', 'no'], default: 'no' },
      ],
      answers: { '0': 'yes' },
    };
    expect(actions('answer_questions', state)).toEqual([
      ['answer', 'answer'],
      ['answer', 'answer'],
      ['defaults', 'cancel'],
    ]);
  });

  it('shows nothing for working stages or a state it cannot read', () => {
    expect(gateMessages('generate', initialState(), 's1')).toEqual([]);
    expect(gateMessages('approve_outline', { nonsense: true }, 's1')).toEqual([]);
  });
});
