import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TerminalAdapter } from '../../../src/bots/terminal/adapter.js';
import { createLineSource } from '../../../src/bots/terminal/prompt.js';
import { type DriveOptions, driveSession } from '../../../src/bots/terminal/session.js';
import type { ChatEvent, ThreadRef } from '../../../src/bots/types.js';
import type { SessionRow, UsageTotals } from '../../../src/store/types.js';

const thread: ThreadRef = { platform: 'terminal', channelId: 'local', threadId: 's1' };

/** A three-gate pipeline stand-in: outline → run → ship, answering through the adapter. */
function fakeWorld(options: { runPasses?: boolean } = {}) {
  const out: string[] = [];
  const events: ChatEvent[] = [];
  let session: SessionRow | undefined;
  const adapter = new TerminalAdapter({
    write: (t) => out.push(t),
    mode: 'text',
    color: false,
    live: false,
    sessionsDir: '/nowhere',
    sessionIdFor: () => 's1',
  });
  let pending: Promise<unknown> = Promise.resolve();
  const set = (stage: string, status: SessionRow['status'], state: unknown = {}) => {
    session = { ...session!, stage, status, state, version: session!.version + 1 };
  };
  void adapter.start(async (e) => {
    events.push(e);
    pending = (async () => {
      if (e.kind === 'start') {
        session = {
          id: 's1',
          threadKey: 'terminal:local:s1',
          platform: 'terminal',
          ownerId: 'terminal:me',
          goal: e.goal,
          stage: 'approve_outline',
          status: 'waiting',
          version: 1,
          state: {},
          createdAt: 0,
          updatedAt: 0,
        };
        await adapter.send(thread, {
          title: 'Outline',
          text: '- main',
          buttons: [
            [
              { action: 'approve_outline', label: 'Approve' },
              { action: 'edit_outline', label: 'Edit' },
            ],
          ],
        });
      } else if (e.kind === 'action' && e.action === 'approve_outline') {
        set('approve_run', 'waiting');
        await adapter.send(thread, { text: 'Run it?', buttons: [[{ action: 'run', label: 'Run it' }]] });
      } else if (e.kind === 'action' && e.action === 'run') {
        set('give_feedback', 'waiting', { lastRun: { ok: options.runPasses ?? true } });
        await adapter.send(thread, {
          text: 'Run finished.',
          buttons: [
            [
              { action: 'ship', label: 'Ship it' },
              { action: 'run_again', label: 'Run again' },
            ],
          ],
        });
      } else if (e.kind === 'action' && e.action === 'ship') {
        set('shipped', 'done');
        await adapter.send(thread, { text: 'Shipped!' });
      } else if (e.kind === 'message') {
        await adapter.send(thread, {
          text: `noted: ${e.text}`,
          buttons: [[{ action: 'ship', label: 'Ship it' }]],
        });
      }
    })();
  });
  const usage: UsageTotals = { calls: 2, promptTokens: 100, completionTokens: 20, costUsd: 0 };
  return {
    adapter,
    out,
    events,
    options(input: string | null, extra: Partial<DriveOptions> = {}): DriveOptions {
      const stdin = new PassThrough();
      if (input !== null) stdin.end(input);
      return {
        adapter,
        store: { getSessionByThread: () => session, usageTotals: () => usage },
        idle: () => pending.then(() => undefined),
        lines: createLineSource(stdin),
        thread,
        user: { id: 'me' },
        auto: false,
        readOnly: false,
        say: (t) => out.push(t),
        echo: true,
        color: false,
        signal: new AbortController().signal,
        randomId: (() => {
          let n = 0;
          return () => String(++n);
        })(),
        sleep: async () => {},
        readFile: (path) =>
          path === 'edited.py'
            ? { name: 'edited.py', bytes: new TextEncoder().encode('print(2)\n') }
            : { error: `cannot read ${path}: ENOENT` },
        ...extra,
      };
    },
  };
}

async function started(world: ReturnType<typeof fakeWorld>) {
  await world.adapter.emit({ kind: 'start', id: 'x', thread, user: { id: 'me' }, goal: 'g' });
}

describe('driveSession', () => {
  it('takes answers by number and by label until shipped', async () => {
    const world = fakeWorld();
    await started(world);
    const outcome = await driveSession(world.options('1\nrun it\nShip it\n'));
    expect(outcome.kind).toBe('shipped');
    const actions = world.events
      .filter((e) => e.kind === 'action')
      .map((e) => (e as { action: string }).action);
    expect(actions).toEqual(['approve_outline', 'run', 'ship']);
    const transcript = world.out.join('');
    expect(transcript).toContain('choose 1-2 or type a reply > 1\n');
    expect(transcript).toContain('usage: 2 model calls, tokens 100 in / 20 out');
    expect(world.events[1]).toMatchObject({
      kind: 'action',
      sessionId: 's1',
      message: { messageId: expect.stringMatching(/\.1$/) },
    });
  });

  it('asks again after a number outside the choices, and sends free text as a message', async () => {
    const world = fakeWorld();
    await started(world);
    const outcome = await driveSession(world.options('9\n\nmake it faster\n3\n'));
    expect(outcome.kind).toBe('shipped');
    const transcript = world.out.join('');
    expect(transcript).toContain('choose a number from 1 to 2, or type a reply');
    // Still at the same gate: the earlier choices stay open beside the new one, numbered together.
    expect(transcript).toContain(
      'Choices:\n  Outline\n    [1] Approve\n    [2] Edit\n  noted: make it faster\n    [3] Ship it',
    );
    expect(world.events.find((e) => e.kind === 'message')).toMatchObject({ text: 'make it faster' });
  });

  it('ends as input_closed, never hanging, when stdin closes at a prompt', async () => {
    const world = fakeWorld();
    await started(world);
    const outcome = await driveSession(world.options('1\n'));
    expect(outcome).toMatchObject({ kind: 'input_closed', session: { stage: 'approve_run' } });
  });

  it('runs the gates alone with --auto and ships after a passing run', async () => {
    const world = fakeWorld();
    await started(world);
    const outcome = await driveSession(world.options(null, { auto: true }));
    expect(outcome.kind).toBe('shipped');
    expect(world.out.join('')).toContain('auto > Approve');
  });

  it('stops with --auto, resumable, when the run did not pass', async () => {
    const world = fakeWorld({ runPasses: false });
    await started(world);
    const outcome = await driveSession(world.options(null, { auto: true }));
    expect(outcome).toMatchObject({ kind: 'needs_person', session: { stage: 'give_feedback' } });
  });

  it('returns interrupted when aborted while waiting for an answer', async () => {
    const world = fakeWorld();
    await started(world);
    const controller = new AbortController();
    const stdin = new PassThrough();
    const driving = driveSession({
      ...world.options(null),
      lines: createLineSource(stdin),
      signal: controller.signal,
    });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    expect((await driving).kind).toBe('interrupted');
  });

  it('does not steer a session it may only read', async () => {
    const world = fakeWorld();
    await started(world);
    const outcome = await driveSession(world.options('1\n', { readOnly: true }));
    expect(outcome.kind).toBe('read_only');
    expect(world.events).toHaveLength(1);
  });

  it('sends a file with /attach, and says why when it cannot be read', async () => {
    const world = fakeWorld();
    await started(world);
    const outcome = await driveSession(world.options('/attach missing.py\n/attach edited.py\n'));
    expect(outcome.kind).toBe('input_closed');
    expect(world.out.join('')).toContain('cannot read missing.py: ENOENT');
    const file = world.events.find((e) => e.kind === 'file');
    expect(file).toMatchObject({ kind: 'file', name: 'edited.py' });
    expect(new TextDecoder().decode((file as { bytes: Uint8Array }).bytes)).toBe('print(2)\n');
  });
});
