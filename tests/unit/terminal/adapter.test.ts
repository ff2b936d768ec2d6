import { describe, expect, it } from 'vitest';
import { TerminalAdapter, type TerminalAdapterOptions } from '../../../src/bots/terminal/adapter.js';
import { type ChatEvent, decodeThreadKey, encodeThreadKey, type ThreadRef } from '../../../src/bots/types.js';
import { channelKeyOf } from '../../../src/pipeline/thread-key.js';

const thread: ThreadRef = { platform: 'terminal', channelId: 'local', threadId: 't1' };

function make(overrides: Partial<TerminalAdapterOptions> = {}) {
  const out: string[] = [];
  const written = new Map<string, Uint8Array>();
  const adapter = new TerminalAdapter({
    write: (t) => out.push(t),
    mode: 'text',
    color: false,
    live: false,
    sessionsDir: '/data/sessions',
    sessionIdFor: () => 'sess-1',
    writeFile: (path, bytes) => written.set(path, bytes),
    ...overrides,
  });
  return { adapter, out, written };
}

describe('TerminalAdapter', () => {
  it('prints messages as plain text and remembers the last one with buttons', async () => {
    const { adapter, out } = make();
    const ref = await adapter.send(thread, {
      title: 'Run it?',
      text: 'QA passed.',
      buttons: [[{ action: 'run', label: 'Run it' }]],
    });
    expect(ref).toMatchObject({ platform: 'terminal', channelId: 'local' });
    expect(ref.messageId).toMatch(/^\w+\.1$/);
    expect(out.join('')).toContain('QA passed.\n  [1] Run it');
    expect(adapter.lastPrompt(thread)?.buttons.map((b) => b.action)).toEqual(['run']);
  });

  it('drops the prompt when an edit takes the buttons away, printing nothing new', async () => {
    const { adapter, out } = make();
    const ref = await adapter.send(thread, { text: 'Run it?', buttons: [[{ action: 'run', label: 'Run' }]] });
    const before = out.join('');
    const edited = await adapter.send(thread, { text: 'Run it?', replaces: ref });
    expect(edited.messageId).toBe(ref.messageId);
    expect(out.join('')).toBe(before);
    expect(adapter.lastPrompt(thread)).toBeUndefined();
  });

  it('writes attachments under the session folder with safe names and prints their paths', async () => {
    const { adapter, out, written } = make();
    await adapter.send(thread, {
      text: 'Here is the script.',
      files: [
        { name: 'script_v1.py', bytes: new TextEncoder().encode('print(1)\n') },
        { name: '../../etc/passwd', bytes: new Uint8Array([1]) },
      ],
    });
    expect([...written.keys()]).toEqual([
      '/data/sessions/sess-1/script_v1.py',
      '/data/sessions/sess-1/passwd',
    ]);
    expect(out.join('')).toContain('saved script_v1.py (9 B): /data/sessions/sess-1/script_v1.py');
  });

  it('prints one parseable JSON object per message with --json-events', async () => {
    const { adapter, out } = make({ mode: 'json' });
    await adapter.send(thread, {
      text: 'line one\nline two',
      buttons: [[{ action: 'ship', label: 'Ship it' }]],
    });
    adapter.note('not in json output');
    await adapter.send(thread, { text: 'done' });
    const lines = out.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({
      type: 'message',
      session: 'sess-1',
      replaces: null,
      text: 'line one\nline two',
      buttons: [{ n: 1, action: 'ship', label: 'Ship it', value: null }],
    });
    expect(first.id).toMatch(/\.1$/);
    expect(JSON.parse(lines[1]!).id).toMatch(/\.2$/);
  });

  it('stands in for another platform when mirroring a resumed session', async () => {
    const { adapter } = make({ platform: 'slack' });
    expect(adapter.platform).toBe('slack');
    const ref = await adapter.send({ platform: 'slack', channelId: 'C1', threadId: '1.2' }, { text: 'hi' });
    expect(ref.platform).toBe('slack');
  });

  it('passes emitted events to the router once started, and refuses before', async () => {
    const { adapter } = make();
    const event: ChatEvent = { kind: 'message', id: 'e1', thread, user: { id: 'me' }, text: 'hi' };
    await expect(adapter.emit(event)).rejects.toThrow(/not started/);
    const seen: ChatEvent[] = [];
    await adapter.start(async (e) => {
      seen.push(e);
    });
    await adapter.emit(event);
    expect(seen).toEqual([event]);
  });

  it('thread keys round-trip: a decoded session key addresses the same terminal thread', async () => {
    const { adapter } = make();
    // As `ff2 chat` makes one (a new id per session) and `--resume` reads it back.
    const mine: ThreadRef = { platform: 'terminal', channelId: 'local', threadId: 'lq2x9k0-3f8a1c' };
    const key = encodeThreadKey(mine);
    expect(key).toBe('terminal:local:lq2x9k0-3f8a1c');
    expect(decodeThreadKey(key)).toEqual(mine);
    await adapter.send(decodeThreadKey(key), { text: 'Run?', buttons: [[{ action: 'run', label: 'Run' }]] });
    expect(adapter.lastPrompt(mine)?.message.text).toBe('Run?');
    expect(adapter.lastPrompt(thread)).toBeUndefined();
    expect(decodeThreadKey(channelKeyOf(key))).toEqual({ ...mine, threadId: '' });
  });
});
