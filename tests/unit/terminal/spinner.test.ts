import { describe, expect, it } from 'vitest';
import { TerminalAdapter } from '../../../src/bots/terminal/adapter.js';
import { createSpinner } from '../../../src/bots/terminal/spinner.js';

function fakeTimers() {
  const ticks: Array<() => void> = [];
  return {
    setInterval: (fn: () => void) => {
      ticks.push(fn);
      return {};
    },
    clearInterval: () => {
      ticks.length = 0;
    },
    tick: () => {
      for (const t of ticks) t();
    },
  };
}

describe('spinner', () => {
  it('writes straight through and draws nothing when disabled (no TTY)', () => {
    const out: string[] = [];
    const spinner = createSpinner({ write: (t) => out.push(t), enabled: false });
    spinner.show('working');
    spinner.print('hello');
    spinner.hide();
    expect(out).toEqual(['hello\n']);
  });

  it('keeps one line at the bottom, cut to the width, and prints above it', () => {
    const out: string[] = [];
    const timers = fakeTimers();
    const spinner = createSpinner({ write: (t) => out.push(t), enabled: true, width: 20, ...timers });
    spinner.show('Writing the code: section 3/7: parse_rows');
    expect(out.at(-1)).toBe('\r\u001b[2K⠋ Writing the code…');
    timers.tick();
    expect(out.at(-1)).toBe('\r\u001b[2K⠙ Writing the code…');
    spinner.print('a message');
    expect(out.slice(-3)).toEqual(['\r\u001b[2K', 'a message\n', '\r\u001b[2K⠙ Writing the code…']);
    spinner.hide();
    expect(out.at(-1)).toBe('\r\u001b[2K');
    timers.tick();
    expect(out.at(-1)).toBe('\r\u001b[2K');
  });
});

describe('TerminalAdapter on a TTY', () => {
  it('shows stage progress in the spinner line instead of printing it', async () => {
    const out: string[] = [];
    const adapter = new TerminalAdapter({
      write: (t) => out.push(t),
      mode: 'text',
      color: false,
      live: true,
      sessionsDir: '/x',
      sessionIdFor: () => 's',
      width: 80,
    });
    const thread = { platform: 'terminal' as const, channelId: 'local', threadId: 's' };
    adapter.working('working…');
    await adapter.send(thread, { text: '⏳ Writing the code: section 3/7: parse_rows · 7 model calls' });
    expect(out.join('')).not.toContain('⏳');
    expect(out.at(-1)).toContain('Writing the code: section 3/7: parse_rows');
    await adapter.send(thread, { text: '✓ Writing the code: done' });
    expect(out.join('')).toContain('✓ Writing the code: done\n');
    adapter.working(null);
  });
});
