import { describe, expect, it } from 'vitest';
import { handleInput } from '../../../src/pipeline/gates.js';
import { initialState, type SessionState } from '../../../src/pipeline/types.js';
import { REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';

/** Stored attachments by blob id, as the store keeps them. */
const blobs = new Map<number, Uint8Array>();
const files = {
  read: (id: number) => {
    const bytes = blobs.get(id);
    return bytes ? { name: `f${id}`, size: bytes.length, bytes } : undefined;
  },
};
const options = { maxRepairs: 3, actor: 'slack:U1', actorName: 'Ann', goal: 'add a --dry-run flag', files };
const attach = (name: string, text: string) => {
  const bytes = new TextEncoder().encode(text);
  const blobId = blobs.size + 1;
  blobs.set(blobId, bytes);
  return { kind: 'file' as const, name, blobId, size: bytes.length };
};
const py = (text: string) => attach('tool.py', text);
const withScript = (patch: Partial<SessionState> = {}): SessionState => ({
  ...initialState(),
  outline: REFERENCE_OUTLINE,
  code: 'print(1)\n',
  versions: 1,
  ...patch,
});

describe('scripts handed over at a gate', () => {
  it('before any code, a .py is the script to start from', () => {
    const out = handleInput('answer_questions', initialState(), py('x = 1\r\n'), options);
    expect(out).toMatchObject({
      kind: 'advance',
      result: 'own_script',
      state: { base: { kind: 'script', code: 'x = 1\r\n', goalPending: true } },
    });
  });

  it('at the outline gate with a script, a .py is the next version edited by the person', () => {
    const out = handleInput('approve_outline', withScript(), py('print(2)\n'), options);
    expect(out).toMatchObject({
      kind: 'advance',
      result: 'user_edit',
      scriptReason: 'edited by Ann',
      state: { code: 'print(2)\n', versions: 2, syncOutline: true },
    });
  });

  it('after shipping, a .py reopens the session as a checked new version', () => {
    expect(handleInput('shipped', withScript(), py('print(3)\n'), options)).toMatchObject({
      result: 'user_edit',
    });
  });

  it('a file that is not Python at the outline gate is kept as input, not taken as the script', () => {
    const out = handleInput('approve_outline', withScript(), attach('a.csv', 'a,b\n'), options);
    expect(out).toMatchObject({
      kind: 'advance',
      result: 'stay',
      state: { code: 'print(1)\n', versions: 1 },
    });
  });

  it("at an own script's outline gate, Approve applies the goal and a reply is applied with it", () => {
    const state = withScript({
      base: {
        kind: 'script',
        name: 'tool.py',
        outline: REFERENCE_OUTLINE,
        code: 'print(1)\n',
        goalPending: true,
      },
    });
    expect(
      handleInput('approve_outline', state, { kind: 'action', action: 'approve' }, options),
    ).toMatchObject({
      result: 'edit',
      state: { feedback: 'add a --dry-run flag', base: { goalPending: false } },
    });
    expect(
      handleInput('approve_outline', state, { kind: 'message', text: 'also keep the log quiet' }, options),
    ).toMatchObject({
      result: 'edit',
      state: { feedback: 'add a --dry-run flag\nalso keep the log quiet' },
    });
    const applied = withScript({ base: { ...state.base!, goalPending: false } });
    expect(
      handleInput('approve_outline', applied, { kind: 'action', action: 'approve' }, options),
    ).toMatchObject({
      result: 'approved',
    });
  });
});
