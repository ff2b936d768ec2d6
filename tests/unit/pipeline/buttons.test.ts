import { describe, expect, it } from 'vitest';
import { closeButtons, trackButtons } from '../../../src/pipeline/buttons.js';

const approve = { action: 'approve' as const, label: 'Approve', style: 'primary' as const };
const cancel = { action: 'cancel' as const, label: 'Cancel', style: 'danger' as const };

describe('buttons of a finished step', () => {
  it('names new button messages, leaving the channel review card and edits alone', () => {
    const { drafts, open } = trackButtons(
      [
        { text: 'plain' },
        { text: 'outline', title: 'Outline', buttons: [[approve, cancel]] },
        { text: 'card', toChannel: true, buttons: [[approve]] },
      ],
      7,
      [],
    );
    expect(drafts[1]?.key).toBe('buttons:7:1');
    expect(drafts[2]?.key).toBeUndefined();
    expect(open).toEqual([
      { key: 'buttons:7:1', text: 'outline', title: 'Outline', buttons: [[approve, cancel]] },
    ]);
  });

  it('closes every open message once the step is done, naming the choice on the one clicked', () => {
    const open = [
      { key: 'a', text: 'old', buttons: [[cancel]] },
      { key: 'b', text: 'outline', title: 'Outline', buttons: [[approve, cancel]] },
    ];
    const out = closeButtons(open, { kind: 'action', action: 'approve' }, 'Ann', true, false);
    expect(out.open).toEqual([]);
    expect(out.edits).toEqual([
      { key: 'a', replaces: 'a', finalises: true, text: 'old' },
      {
        key: 'b',
        replaces: 'b',
        finalises: true,
        title: 'Outline',
        text: 'outline\n\n✔ Approve — chosen by Ann',
      },
    ]);
  });

  it('keeps the choice line in view when the message is long', () => {
    const open = [{ key: 'a', text: 'x'.repeat(5000), buttons: [[approve]] }];
    const [edit] = closeButtons(open, { kind: 'message', text: 'go' }, 'Ann', true, false).edits;
    expect(edit?.text.length).toBeLessThanOrEqual(1600);
    expect(edit?.text).toMatch(/x…\n\n✔ Answered in the thread by Ann$/);
  });
});
