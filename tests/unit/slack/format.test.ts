import { describe, expect, it } from 'vitest';
import { decodeActionId, encodeActionId } from '../../../src/bots/slack/action-id.js';
import { parseCommandText, stripMention, unescapeSlackText } from '../../../src/bots/slack/command.js';
import {
  BLOCK_TEXT_LIMIT,
  escapeText,
  formatMessage,
  LONG_TEXT_FILE,
  MAX_BLOCKS,
  mentionUser,
  SECTION_LIMIT,
  type SlackBlock,
  splitSections,
} from '../../../src/bots/slack/format.js';

const allText = (blocks: SlackBlock[]) =>
  blocks.map((b) => (b.type === 'section' ? b.text.text : '')).join('\n');

describe('escapeText', () => {
  it('neutralises @channel, user pings and hidden links', () => {
    const out = escapeText('<!channel> hi <@U123> <https://evil.example|click> & done');
    expect(out).toBe('&lt;!channel&gt; hi &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; done');
    expect(out).not.toMatch(/[<>]/);
  });
  it('mentions only real user ids', () => {
    expect(mentionUser('U0ABC12')).toBe('<@U0ABC12>');
    expect(mentionUser('!channel>')).toBe('!channel&gt;');
  });
});

describe('formatMessage', () => {
  it('renders title, escaped text and buttons with session-encoded action ids', () => {
    const payload = formatMessage(
      {
        title: 'Run it?',
        text: 'Script <ready> & checked',
        buttons: [
          [
            { action: 'run', label: 'Run', style: 'primary' },
            { action: 'cancel', label: 'Cancel', value: '7' },
          ],
        ],
      },
      's1',
    );
    expect(payload.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Run it?*\nScript &lt;ready&gt; &amp; checked' },
    });
    const actions = payload.blocks[1];
    expect(actions?.type).toBe('actions');
    if (actions?.type !== 'actions') throw new Error('no actions');
    expect(actions.elements.map((e) => decodeActionId(e.action_id))).toEqual([
      { sessionId: 's1', action: 'run' },
      { sessionId: 's1', action: 'cancel' },
    ]);
    expect(actions.elements[0]?.style).toBe('primary');
    expect(actions.elements[1]?.value).toBe('7');
    expect(new Set(actions.elements.map((e) => e.action_id)).size).toBe(2);
    expect(payload.text).toBe('Run it?: Script &lt;ready&gt; &amp; checked');
    expect(payload.files).toEqual([]);
  });

  it('keeps every section within 3,000 characters', () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const payload = formatMessage({ text }, 's');
    const sections = payload.blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections)
      if (s.type === 'section') expect(s.text.text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    expect(payload.files).toEqual([]);
  });

  it('moves long text to a file, and stays within the block and text limits', () => {
    const text = `${'<b>'.repeat(10_000)}end`;
    const payload = formatMessage({ text, buttons: [[{ action: 'ship', label: 'Ship it' }]] }, 's');
    expect(payload.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(allText(payload.blocks).length).toBeLessThanOrEqual(BLOCK_TEXT_LIMIT + 100);
    expect(allText(payload.blocks)).toContain(LONG_TEXT_FILE);
    expect(allText(payload.blocks)).not.toMatch(/[<>]/);
    expect(payload.blocks.at(-1)?.type).toBe('actions');
    const file = payload.files.find((f) => f.name === LONG_TEXT_FILE);
    expect(new TextDecoder().decode(file?.bytes)).toBe(text);
    expect(payload.text.length).toBeLessThanOrEqual(3000);
  });

  it('never cuts an escape entity in half', () => {
    for (let n = 2990; n < 3002; n++) {
      for (const piece of splitSections(`${'a'.repeat(n)}${'&amp;'.repeat(400)}`)) {
        expect(piece).not.toMatch(/&[a-z]{0,3}$/);
        expect(piece).not.toMatch(/^[a-z]{1,3};/);
      }
    }
  });

  it('renders an edit without buttons as text only (finished step)', () => {
    const payload = formatMessage(
      { text: 'Chosen: Run', replaces: { platform: 'slack', channelId: 'C', messageId: '1.2' } },
      's',
    );
    expect(payload.blocks.map((b) => b.type)).toEqual(['section']);
  });
});

describe('action ids', () => {
  it('round-trip and reject foreign ids', () => {
    expect(decodeActionId(encodeActionId('abc', 'approve_outline', '0.0'))).toEqual({
      sessionId: 'abc',
      action: 'approve_outline',
    });
    expect(decodeActionId('other|x|y')).toBeUndefined();
    expect(decodeActionId('ff2|x')).toBeUndefined();
  });
});

describe('command text', () => {
  it('reads commands and goals', () => {
    expect(parseCommandText('')).toEqual({ kind: 'command', command: 'help', args: '' });
    expect(parseCommandText('list')).toEqual({ kind: 'command', command: 'list', args: '' });
    expect(parseCommandText('cancel s1')).toEqual({ kind: 'command', command: 'cancel', args: 's1' });
    expect(parseCommandText('list the files in a folder')).toEqual({
      kind: 'start',
      goal: 'list the files in a folder',
    });
    expect(parseCommandText(' a CSV deduper ')).toEqual({ kind: 'start', goal: 'a CSV deduper' });
  });
  it('strips the bot mention and unescapes what people typed', () => {
    expect(stripMention('<@UBOT> a csv tool', 'UBOT')).toBe('a csv tool');
    expect(unescapeSlackText('a &lt;b&gt; &amp; <!channel> <@U1|ann> <https://x.io|site>')).toBe(
      'a <b> & @channel @ann site (https://x.io)',
    );
  });
});
