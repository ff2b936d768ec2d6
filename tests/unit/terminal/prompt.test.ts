import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLineSource, promptText, resolveAnswer } from '../../../src/bots/terminal/prompt.js';
import { numberButtons } from '../../../src/bots/terminal/render.js';

const buttons = numberButtons([
  [
    { action: 'approve_outline', label: 'Approve outline', style: 'primary' },
    { action: 'edit_outline', label: 'Edit' },
  ],
  [{ action: 'cancel', label: 'Cancel', style: 'danger' }],
]);

describe('resolveAnswer', () => {
  it('selects a button by its number', () => {
    expect(resolveAnswer(' 2 ', buttons)).toMatchObject({
      kind: 'button',
      button: { action: 'edit_outline' },
    });
    expect(resolveAnswer('[3]', buttons)).toMatchObject({ kind: 'button', button: { action: 'cancel' } });
  });

  it('rejects a number outside the choices instead of sending it as text', () => {
    expect(resolveAnswer('7', buttons)).toEqual({
      kind: 'invalid',
      reason: 'choose a number from 1 to 3, or type a reply',
    });
  });

  it('selects a button by label, case-insensitively, or by action name', () => {
    expect(resolveAnswer('approve OUTLINE', buttons)).toMatchObject({ button: { n: 1 } });
    expect(resolveAnswer('"Cancel"', buttons)).toMatchObject({ button: { n: 3 } });
    expect(resolveAnswer('edit_outline', buttons)).toMatchObject({ button: { n: 2 } });
  });

  it('accepts a unique label prefix of three or more characters', () => {
    expect(resolveAnswer('appr', buttons)).toMatchObject({ button: { n: 1 } });
    expect(resolveAnswer('ap', buttons)).toEqual({ kind: 'text', text: 'ap' });
  });

  it('treats anything else as free text and blank as empty', () => {
    expect(resolveAnswer('please use tabs', buttons)).toEqual({ kind: 'text', text: 'please use tabs' });
    expect(resolveAnswer('   ', buttons)).toEqual({ kind: 'empty' });
    expect(resolveAnswer('42', [])).toEqual({ kind: 'text', text: '42' });
  });

  it('words the prompt for the choices on offer', () => {
    expect(promptText(buttons, true)).toBe('choose 1-3 or type a reply > ');
    expect(promptText(buttons.slice(0, 1), false)).toBe('choose 1 > ');
    expect(promptText([], true)).toBe('> ');
  });
});

describe('createLineSource', () => {
  it('hands out piped lines one per call, then null at end of input', async () => {
    const stream = new PassThrough();
    const lines = createLineSource(stream);
    stream.end('first\r\nsecond\nlast without newline');
    expect(await lines.next()).toBe('first');
    expect(await lines.next()).toBe('second');
    expect(await lines.next()).toBe('last without newline');
    expect(await lines.next()).toBeNull();
    expect(await lines.next()).toBeNull();
  });

  it('resolves a waiting read with null when the input closes', async () => {
    const stream = new PassThrough();
    const lines = createLineSource(stream);
    const pending = lines.next();
    stream.write('partial');
    stream.end();
    expect(await pending).toBe('partial');
    expect(await lines.next()).toBeNull();
  });

  it('waits for a line typed later', async () => {
    const stream = new PassThrough();
    const lines = createLineSource(stream);
    const pending = lines.next();
    stream.write('typed');
    stream.write(' later\n');
    expect(await pending).toBe('typed later');
    lines.close();
    expect(await lines.next()).toBeNull();
  });
});
