import { describe, expect, it } from 'vitest';
import { handleInput } from '../../../src/pipeline/gates.js';
import { initialState, type SessionState } from '../../../src/pipeline/types.js';

const options = { maxRepairs: 3, actor: 'slack:U1' };
const questions = [
  { question: 'Delimiter?', choices: ['comma', 'semicolon'], default: 'comma' },
  { question: 'Header row?', choices: ['yes', 'no'], default: 'yes' },
];
const asking: SessionState = { ...initialState(), questions };

describe('human input at the gates', () => {
  it('takes numbered answers to several questions in one reply', () => {
    const out = handleInput(
      'answer_questions',
      asking,
      { kind: 'message', text: '1. semicolon 2. no' },
      options,
    );
    expect(out).toMatchObject({
      kind: 'advance',
      result: 'answered',
      state: { answers: { '0': 'semicolon', '1': 'no' } },
    });
  });

  it('stays on the questions until every one is answered, then moves on', () => {
    const first = handleInput(
      'answer_questions',
      asking,
      { kind: 'action', action: 'answer', value: '1:1' },
      options,
    );
    expect(first).toMatchObject({ kind: 'advance', result: 'stay', state: { answers: { '1': 'no' } } });
    if (first.kind !== 'advance') throw new Error('expected advance');
    const second = handleInput('answer_questions', first.state, { kind: 'message', text: 'tabs' }, options);
    expect(second).toMatchObject({ result: 'answered', state: { answers: { '0': 'tabs', '1': 'no' } } });
  });

  it('fills in defaults on "Use your defaults"', () => {
    const out = handleInput('answer_questions', asking, { kind: 'action', action: 'defaults' }, options);
    expect(out).toMatchObject({ result: 'answered', state: { answers: { '0': 'comma', '1': 'yes' } } });
  });

  it('cancels from a working stage, and politely refuses a stale button there', () => {
    expect(handleInput('generate', asking, { kind: 'message', text: 'stop' }, options)).toMatchObject({
      result: 'cancel',
    });
    expect(handleInput('generate', asking, { kind: 'action', action: 'run' }, options)).toMatchObject({
      kind: 'reply',
    });
  });

  it('answers a stale click with a note and changes nothing', () => {
    const out = handleInput('give_feedback', initialState(), { kind: 'action', action: 'approve' }, options);
    expect(out).toEqual({ kind: 'reply', text: expect.stringContaining('no longer active') });
  });

  it('turns a reply at the outline gate into one revise step', () => {
    expect(
      handleInput('approve_outline', initialState(), { kind: 'message', text: 'add --quiet' }, options),
    ).toMatchObject({
      result: 'edit',
      state: { feedback: 'add --quiet' },
    });
  });

  it('uses the reply as stdin after "Run with input…"', () => {
    const armed = handleInput(
      'approve_run',
      initialState(),
      { kind: 'action', action: 'run_with_input' },
      options,
    );
    if (armed.kind !== 'advance') throw new Error('expected advance');
    expect(
      handleInput('approve_run', armed.state, { kind: 'message', text: 'a,b\n1,2' }, options),
    ).toMatchObject({
      result: 'run',
      state: { runInput: { stdin: 'a,b\n1,2' }, awaitingInput: false },
    });
  });

  it('asks whether an attached .py is the new script or run input, and takes other files as input', () => {
    const bytes = new TextEncoder().encode('print(1)\n');
    const files = {
      read: (id: number) => (id === 7 ? { name: 'fixed.py', size: bytes.length, bytes } : undefined),
    };
    const asked = handleInput(
      'give_feedback',
      initialState(),
      { kind: 'file', name: 'fixed.py', blobId: 7, size: bytes.length },
      options,
    );
    expect(asked).toMatchObject({ result: 'stay', state: { pendingFile: { name: 'fixed.py' } } });
    if (asked.kind !== 'advance') throw new Error('expected advance');
    expect(asked.messages?.[0]?.buttons?.[0]?.map((b) => b.label)).toEqual([
      'Use as the new script',
      'Use as an input file',
    ]);
    const asScript = handleInput(
      'give_feedback',
      asked.state,
      { kind: 'action', action: 'file_as_script' },
      { ...options, files },
    );
    expect(asScript).toMatchObject({
      result: 'user_edit',
      scriptReason: `edited by ${options.actor}`,
      state: { code: 'print(1)\n', pendingFile: null },
    });
    const asInput = handleInput(
      'give_feedback',
      asked.state,
      { kind: 'action', action: 'file_as_input' },
      options,
    );
    expect(asInput).toMatchObject({
      result: 'stay',
      state: { runInput: { files: { 'fixed.py': 'blob:7' } } },
    });
    const csv = handleInput(
      'give_feedback',
      initialState(),
      { kind: 'file', name: 'in.csv', blobId: 8, size: 2 },
      options,
    );
    expect(csv).toMatchObject({ result: 'stay', state: { runInput: { files: { 'in.csv': 'blob:8' } } } });
    // A file that is no longer stored cannot become the script.
    expect(
      handleInput('give_feedback', asked.state, { kind: 'action', action: 'file_as_script' }, options),
    ).toMatchObject({ kind: 'reply', text: expect.stringContaining('no longer stored') });
  });

  it('gives exactly one more repair on "Try another repair"', () => {
    expect(
      handleInput(
        'after_repairs',
        { ...initialState(), repairs: 3 },
        { kind: 'action', action: 'repair' },
        options,
      ),
    ).toMatchObject({
      result: 'repair',
      state: { repairs: 2 },
    });
  });
});

describe('a review that requests changes', () => {
  const shipped: SessionState = { ...initialState(), code: 'print(1)\n', repairs: 2 };
  it('applies the text typed in the review box as the change request', () => {
    const out = handleInput(
      'shipped',
      shipped,
      { kind: 'action', action: 'review_changes', value: ' print a summary line ' },
      options,
    );
    expect(out).toMatchObject({
      kind: 'advance',
      result: 'change',
      state: { feedback: 'print a summary line', repairs: 0 },
    });
  });

  it('reopens and asks in the thread when no text came with it', () => {
    const out = handleInput('shipped', shipped, { kind: 'action', action: 'review_changes' }, options);
    expect(out).toMatchObject({ kind: 'advance', result: 'reopen' });
  });
});
