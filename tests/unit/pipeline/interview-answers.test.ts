/** Item 7 of issue 12: free-text interview answers are not misread as numbered answers. */
import { describe, expect, it } from 'vitest';
import { handleInput } from '../../../src/pipeline/gates.js';
import { initialState, type SessionState } from '../../../src/pipeline/types.js';

const options = { maxRepairs: 3, actor: 'slack:U1' };
const asking: SessionState = {
  ...initialState(),
  questions: [
    { question: 'Timeout?', choices: ['1 second', '5 seconds'], default: '5 seconds' },
    { question: 'Retries?', choices: ['0', '3'], default: '3' },
  ],
};
const answer = (state: SessionState, text: string) => {
  const out = handleInput('answer_questions', state, { kind: 'message', text }, options);
  if (out.kind !== 'advance') throw new Error(out.text);
  return out;
};

describe('interview answers in words', () => {
  it('a number inside a sentence is not a question number: it answers the first open question', () => {
    const out = answer(asking, 'Use a timeout of 2.5 seconds');
    expect(out.state.answers).toEqual({ '0': 'Use a timeout of 2.5 seconds' });
    expect(out.result).toBe('stay');
    for (const text of ['retry 2) times', 'ratio 3:1 please', 'see section 2. below'])
      expect(answer(asking, text).state.answers).toEqual({ '0': text });
  });

  it('numbering counts at the start of a line, one per line or in sequence on one line', () => {
    expect(answer(asking, '1. 2.5 seconds\n2) none').state.answers).toEqual({
      '0': '2.5 seconds',
      '1': 'none',
    });
    expect(answer(asking, '1. 2.5 seconds 2. none').state.answers).toEqual({
      '0': '2.5 seconds',
      '1': 'none',
    });
  });

  it('a reply to a single open question is that answer, whatever digits it holds', () => {
    const one = answer(asking, '1. 2.5 seconds').state;
    const out = answer(one, '1) fail fast, 0 retries');
    expect(out.result).toBe('answered');
    expect(out.state.answers).toEqual({ '0': '2.5 seconds', '1': '1) fail fast, 0 retries' });
  });
});
