/**
 * The current gate's message (pipeline/gate-message.ts) against the gates: every button it shows
 * is one the gate acts on at that stage (never the "no longer active" reply).
 */
import { describe, expect, it } from 'vitest';
import { currentGateDrafts } from '../../../src/pipeline/gate-message.js';
import { handleInput, STALE } from '../../../src/pipeline/gates.js';
import { initialState, type SessionState, type WaitingStage } from '../../../src/pipeline/types.js';
import { REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';

const state: SessionState = {
  ...initialState(),
  outline: REFERENCE_OUTLINE,
  code: 'print(1)\n',
  qaReport: 'QA: ok',
  questions: [{ question: 'Tabs?', choices: ['yes', 'no'], default: 'yes' }],
  repairs: 3,
  paused: { stage: 'generate', reason: 'budget' },
};
const stages: WaitingStage[] = [
  'answer_questions',
  'approve_outline',
  'approve_run',
  'give_feedback',
  'confirm_feedback',
  'after_repairs',
  'budget_paused',
  'retry_paused',
];

describe('currentGateDrafts', () => {
  it.each(stages)('%s: shows a message whose every button the gate acts on', (stage) => {
    const drafts = currentGateDrafts(stage, state);
    expect(drafts.length).toBeGreaterThan(0);
    const buttons = drafts.flatMap((d) => (d.buttons ?? []).flat());
    expect(buttons.length).toBeGreaterThan(0);
    for (const b of buttons) {
      const out = handleInput(
        stage,
        { ...state, feedback: 'x' },
        { kind: 'action', action: b.action, ...(b.value ? { value: b.value } : {}) },
        { maxRepairs: 3, actor: 'slack:U1' },
      );
      expect(out, `${stage}: ${b.action}`).not.toEqual({ kind: 'reply', text: STALE });
    }
  });

  it('asks nothing at a working stage, or when the state cannot be read', () => {
    expect(currentGateDrafts('generate', state)).toEqual([]);
    expect(currentGateDrafts('approve_outline', { nonsense: true })).toEqual([]);
  });
});
