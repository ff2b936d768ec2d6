import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  numberButtons,
  renderBody,
  renderMessage,
  renderUsage,
  stripAnsi,
} from '../../../src/bots/terminal/render.js';

const ESC = '\u001b[';

describe('terminal render', () => {
  it('numbers buttons across rows starting at 1', () => {
    const numbered = numberButtons([
      [
        { action: 'approve_outline', label: 'Approve' },
        { action: 'edit', label: 'Edit' },
      ],
      [{ action: 'cancel', label: 'Cancel', style: 'danger' }],
    ]);
    expect(numbered.map((b) => [b.n, b.action])).toEqual([
      [1, 'approve_outline'],
      [2, 'edit'],
      [3, 'cancel'],
    ]);
  });

  it('renders title, body, saved files and numbered choices without colour codes off a TTY', () => {
    const text = renderMessage(
      {
        title: 'Outline',
        text: '## Functions\n- `parse_rows(path)`: reads rows\n  - calls open\n1. main',
        buttons: [[{ action: 'approve_outline', label: 'Approve outline', style: 'primary' }]],
      },
      [{ name: 'script.py', path: '/tmp/s/script.py', bytes: 2048 }],
      { color: false, width: 40 },
    );
    expect(text).not.toContain(ESC);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^── Outline ─+$/);
    expect(lines[0]!.length).toBe(40);
    expect(text).toContain('FUNCTIONS');
    expect(text).toContain('  • `parse_rows(path)`: reads rows');
    expect(text).toContain('    • calls open');
    expect(text).toContain('  1. main');
    expect(text).toContain('saved script.py (2.0 KB): /tmp/s/script.py');
    expect(text).toContain('  [1] Approve outline');
  });

  it('uses ANSI colour only when asked', () => {
    const coloured = renderMessage({ text: '**bold** and `code`' }, [], { color: true });
    expect(coloured).toContain(ESC);
    expect(stripAnsi(coloured)).toBe('bold and code');
    expect(renderMessage({ text: '**bold** and `code`' }, [], { color: false })).toBe('bold and `code`');
  });

  it('keeps code inside fences verbatim, including markdown-looking lines', () => {
    const body = renderBody('Here:\n```python\n# not a heading\n- not a list\nx = **kw\n```\ndone', false);
    expect(body).toBe(
      [
        'Here:',
        '    ┌─ python ',
        '    # not a heading',
        '    - not a list',
        '    x = **kw',
        '    └─',
        'done',
      ].join('\n'),
    );
  });

  it('closes an unterminated fence', () => {
    expect(renderBody('```\nprint(1)', false).split('\n').at(-1)).toBe('    └─');
  });

  it('formats sizes and usage totals', () => {
    expect(formatBytes(10)).toBe('10 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(
      renderUsage({ calls: 3, promptTokens: 12345, completionTokens: 678, costUsd: 0.0123 }, false),
    ).toBe('  usage: 3 model calls, tokens 12,345 in / 678 out · $0.0123');
    expect(renderUsage({ calls: 1, promptTokens: 1, completionTokens: 2, costUsd: 0 }, false)).toBe(
      '  usage: 1 model call, tokens 1 in / 2 out',
    );
  });
});
