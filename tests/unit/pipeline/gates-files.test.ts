/** Item 5 of issue 12: files are welcome at any live point, and the model gets a description. */
import { describe, expect, it } from 'vitest';
import { handleInput } from '../../../src/pipeline/gates.js';
import { initialState } from '../../../src/pipeline/types.js';

const csv = new TextEncoder().encode('a,b\n1,2\n');
/** Stored files by blob id, as the store keeps them. */
const blobs = new Map<number, Uint8Array>([
  [1, csv],
  [2, new TextEncoder().encode('new')],
]);
const files = {
  read: (id: number) => {
    const bytes = blobs.get(id);
    return bytes ? { name: `f${id}`, size: bytes.length, bytes } : undefined;
  },
};
const options = { maxRepairs: 3, actor: 'slack:U1', files };

describe('files at any time', () => {
  it.each(['interview', 'outline', 'answer_questions', 'approve_outline', 'generate'] as const)(
    'takes a file at %s and describes it for the model',
    (stage) => {
      const out = handleInput(
        stage,
        initialState(),
        { kind: 'file', name: 'in.csv', blobId: 1, size: csv.length },
        options,
      );
      expect(out).toMatchObject({
        kind: 'advance',
        result: 'stay',
        state: {
          attachments: [{ name: 'in.csv', size: 8, preview: 'a,b\n1,2\n' }],
          runInput: { files: { 'in.csv': 'blob:1' } },
        },
      });
    },
  );

  it('a file attached again under the same name replaces the first', () => {
    const first = handleInput(
      'approve_outline',
      initialState(),
      { kind: 'file', name: 'x.txt', blobId: 1, size: csv.length },
      options,
    );
    if (first.kind !== 'advance') throw new Error('expected advance');
    const again = handleInput(
      'approve_outline',
      first.state,
      { kind: 'file', name: 'x.txt', blobId: 2, size: 3 },
      options,
    );
    expect(again.kind === 'advance' && again.state.attachments).toEqual([
      { name: 'x.txt', size: 3, preview: 'new' },
    ]);
  });
});
