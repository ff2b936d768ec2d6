/** Item 5 of issue 12: files are welcome at any live point, and the model gets a description. */
import { describe, expect, it } from 'vitest';
import { handleInput } from '../../../src/pipeline/gates.js';
import { initialState } from '../../../src/pipeline/types.js';

const options = { maxRepairs: 3, actor: 'slack:U1' };
const csv = new TextEncoder().encode('a,b\n1,2\n');

describe('files at any time', () => {
  it.each(['interview', 'outline', 'answer_questions', 'approve_outline', 'generate'] as const)(
    'takes a file at %s and describes it for the model',
    (stage) => {
      const out = handleInput(stage, initialState(), { kind: 'file', name: 'in.csv', bytes: csv }, options);
      expect(out).toMatchObject({
        kind: 'advance',
        result: 'stay',
        state: {
          attachments: [{ name: 'in.csv', size: 8, preview: 'a,b\n1,2\n' }],
          runInput: { files: { 'in.csv': Buffer.from(csv).toString('base64') } },
        },
      });
    },
  );

  it('a file attached again under the same name replaces the first', () => {
    const first = handleInput(
      'approve_outline',
      initialState(),
      { kind: 'file', name: 'x.txt', bytes: csv },
      options,
    );
    if (first.kind !== 'advance') throw new Error('expected advance');
    const again = handleInput(
      'approve_outline',
      first.state,
      { kind: 'file', name: 'x.txt', bytes: new TextEncoder().encode('new') },
      options,
    );
    expect(again.kind === 'advance' && again.state.attachments).toEqual([
      { name: 'x.txt', size: 3, preview: 'new' },
    ]);
  });
});
