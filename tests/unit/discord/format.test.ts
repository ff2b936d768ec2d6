import { describe, expect, it } from 'vitest';
import { inviteUrl, parseGoal } from '../../../src/bots/discord/command.js';
import { decodeCustomId, encodeCustomId } from '../../../src/bots/discord/custom-id.js';
import {
  CONTENT_LIMIT,
  formatButtons,
  formatMessage,
  LONG_TEXT_FILE,
} from '../../../src/bots/discord/format.js';
import type { Button } from '../../../src/bots/types.js';

const button = (action: string, value?: string): Button => ({
  action,
  label: action,
  ...(value ? { value } : {}),
});

describe('formatMessage', () => {
  it('never lets a message ping anyone', () => {
    const { body } = formatMessage({ text: '@everyone look <@123>' }, 's1');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBe('@everyone look <@123>');
  });

  it('puts the title in bold above the text', () => {
    expect(formatMessage({ title: 'Outline', text: 'body' }, 's').body.content).toBe('**Outline**\nbody');
  });

  it('keeps text of exactly 2,000 characters inline', () => {
    const { body, files } = formatMessage({ text: 'x'.repeat(CONTENT_LIMIT) }, 's');
    expect(body.content).toHaveLength(CONTENT_LIMIT);
    expect(files).toEqual([]);
  });

  it('moves longer text into a file and leaves a preview within the limit', () => {
    const text = `intro\n\`\`\`python\n${'print(1)\n'.repeat(400)}\`\`\``;
    const { body, files } = formatMessage({ text }, 's');
    expect(body.content.length).toBeLessThanOrEqual(CONTENT_LIMIT);
    expect(body.content).toContain(LONG_TEXT_FILE);
    expect((body.content.match(/```/g) ?? []).length % 2).toBe(0);
    expect(files[0]!.name).toBe(LONG_TEXT_FILE);
    expect(files[0]!.data.toString('utf8')).toBe(text);
  });

  it('attaches files with their MIME type', () => {
    const { files } = formatMessage(
      {
        text: 'script',
        files: [{ name: 'a.py', bytes: new TextEncoder().encode('x=1'), mime: 'text/x-python' }],
      },
      's',
    );
    expect(files).toEqual([{ name: 'a.py', data: Buffer.from('x=1'), contentType: 'text/x-python' }]);
  });

  it('sends empty components on an edit so finished buttons disappear, and lists new attachments', () => {
    const ref = { platform: 'discord' as const, channelId: 'c', messageId: 'm' };
    const { body } = formatMessage({ text: 'done', replaces: ref }, 's', true);
    expect(body.components).toEqual([]);
    expect(body.attachments).toBeUndefined();
    const withFile = formatMessage(
      { text: 'v2', files: [{ name: 'b.py', bytes: new Uint8Array([1]) }] },
      's',
      true,
    );
    expect(withFile.body.attachments).toEqual([{ id: 0, filename: 'b.py' }]);
  });
});

describe('formatButtons', () => {
  it('maps styles and encodes session, action and value', () => {
    const [row] = formatButtons(
      [
        [
          { action: 'run', label: 'Run', style: 'primary' },
          { action: 'cancel', label: 'Stop', style: 'danger' },
          button('answer', '2'),
        ],
      ],
      's9',
    );
    expect(row!.components.map((b) => [b.style, b.custom_id])).toEqual([
      [1, 'ff2|s9|run'],
      [4, 'ff2|s9|cancel'],
      [2, 'ff2|s9|answer|2'],
    ]);
  });

  it('wraps rows longer than 5 and stops at 5 rows', () => {
    const many = Array.from({ length: 31 }, (_, i) => button(`a${i}`));
    const dropped: string[] = [];
    const rows = formatButtons([many], 's', dropped);
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.components.length <= 5)).toBe(true);
    expect(dropped).toHaveLength(6);
  });

  it('drops a button that would repeat a custom id', () => {
    const dropped: string[] = [];
    const rows = formatButtons([[button('ship'), button('ship')]], 's', dropped);
    expect(rows[0]!.components).toHaveLength(1);
    expect(dropped[0]).toContain('duplicate');
  });

  it('cuts labels to 80 characters', () => {
    const [row] = formatButtons([[{ action: 'a', label: 'L'.repeat(120) }]], 's');
    expect(row!.components[0]!.label).toHaveLength(80);
  });
});

describe('custom ids', () => {
  it('round-trips session, action and a value containing the separator', () => {
    const { id } = encodeCustomId('sess-1', 'answer', 'a|b');
    expect(decodeCustomId(id)).toEqual({ sessionId: 'sess-1', action: 'answer', value: 'a|b' });
    expect(decodeCustomId(encodeCustomId('s', 'ship').id)).toEqual({
      sessionId: 's',
      action: 'ship',
      value: undefined,
    });
  });

  it('stays within 100 characters and says when the value was cut', () => {
    const { id, truncated } = encodeCustomId('0123456789abcdef0123456789abcdef', 'answer', 'v'.repeat(200));
    expect(id).toHaveLength(100);
    expect(truncated).toBe(true);
  });

  it('ignores ids ff2 did not make', () => {
    expect(decodeCustomId('other:thing')).toBeUndefined();
    expect(decodeCustomId('ff2|s')).toBeUndefined();
  });
});

describe('parseGoal', () => {
  it('reads help, list and cancel <id> as commands', () => {
    expect(parseGoal('help')).toEqual({ kind: 'command', command: 'help', args: '' });
    expect(parseGoal(' LIST ')).toEqual({ kind: 'command', command: 'list', args: '' });
    expect(parseGoal('cancel abc123')).toEqual({ kind: 'command', command: 'cancel', args: 'abc123' });
  });

  it('reads everything else, including sentences starting with a keyword, as a goal', () => {
    expect(parseGoal('dedupe rows of a CSV')).toEqual({ kind: 'start', goal: 'dedupe rows of a CSV' });
    expect(parseGoal('list the largest files')).toEqual({ kind: 'start', goal: 'list the largest files' });
    expect(parseGoal('cancel every order older than a week')).toMatchObject({ kind: 'start' });
  });
});

describe('inviteUrl', () => {
  it('asks for the bot and commands scopes and the thread permissions', () => {
    const url = new URL(inviteUrl('42'));
    expect(url.searchParams.get('client_id')).toBe('42');
    expect(url.searchParams.get('scope')).toBe('bot applications.commands');
    const perms = BigInt(url.searchParams.get('permissions')!);
    for (const bit of [10n, 11n, 14n, 15n, 16n, 35n, 38n]) expect(perms & (1n << bit)).not.toBe(0n);
  });
});
