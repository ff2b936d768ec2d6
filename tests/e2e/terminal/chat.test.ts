import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import { type OpenAiServer, startOpenAiServer } from '../../fakes/openai-server.js';
import { BROKEN_FIND_DUPLICATES, REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import {
  type ReferenceOptions,
  referenceGoalScript,
  respondFromScript,
  type ScriptResponder,
} from '../../fakes/scripted-llm.js';
import { ff2, tempHome } from './harness.js';

/**
 * `ff2 chat` as a child process, as a person or a CI script runs it: piped stdin, the scripted
 * model served over HTTP (OPENAI_BASE_URL), a real SQLite file and the real sandbox.
 */

let server: OpenAiServer | undefined;
let home: ReturnType<typeof tempHome> | undefined;
afterEach(async () => {
  await server?.close();
  home?.cleanup();
  server = undefined;
  home = undefined;
});

async function setup(responder: ScriptResponder = referenceGoalScript()) {
  server = await startOpenAiServer({ respond: respondFromScript(responder) });
  home = tempHome('ff2-chat-');
  const env = {
    FF2_DATA_DIR: home.dir,
    FF2_DB: home.db,
    FF2_LLM: 'openai',
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'test-key',
  };
  return { env, home, server };
}

function sessionOf(db: string) {
  const store = openStore(db);
  try {
    const [session] = store.listSessions();
    if (!session) throw new Error('no session was stored');
    return { session, versions: store.listScriptVersions(session.id), runs: store.listRuns(session.id) };
  } finally {
    store.close();
  }
}

const QUESTIONS: ReferenceOptions['questions'] = [
  {
    question: 'Which columns identify a duplicate?',
    choices: ['all columns', 'the first column'],
    default: 'all columns',
  },
  { question: 'Keep which duplicate?', choices: ['first', 'last'], default: 'first' },
];

// Child processes on a 2-core machine shared with the rest of the suite: generous time limits.
describe('ff2 chat journeys', { timeout: 120_000 }, () => {
  it('runs the whole journey alone with --auto, ships, and leaves the files in the session folder', async () => {
    const { env, home } = await setup();
    const run = await ff2(['chat', '--auto', REFERENCE_GOAL], { env, stdin: '' }).done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { session, versions, runs } = sessionOf(home.db);
    expect(session).toMatchObject({
      platform: 'terminal',
      ownerId: `terminal:${userInfo().username}`,
      stage: 'shipped',
      status: 'done',
    });
    expect(runs.map((r) => r.status)).toEqual(['ok']);
    expect(run.stdout).toContain('auto > Approve');
    expect(run.stdout).toContain('auto > Run');
    expect(run.stdout).toContain('auto > Ship it');
    expect(run.stdout).toMatch(/usage: \d+ model calls, tokens [\d,]+ in \/ [\d,]+ out/);
    expect(run.stdout).toContain(`Shipped. Files are in the session folder; history: ff2 show ${session.id}`);
    // No colour codes or spinner frames when stdout is not a terminal.
    expect(run.stdout).not.toMatch(/\u001b\[/);
    const script = join(home.dir, 'sessions', session.id, 'script.py');
    expect(run.stdout).toContain(`saved script.py`);
    expect(run.stdout).toContain(script);
    expect(readFileSync(script, 'utf8')).toBe(versions.at(-1)!.code);
  });

  it('takes answers typed by number and by label', async () => {
    const { env, home } = await setup(referenceGoalScript({ questions: QUESTIONS }));
    // 2 → "the first column" (question 1); "last" by label (question 2); "Approve" by label;
    // "1" → Run; "ship it" → the "Ship it" button.
    const run = await ff2(['chat', REFERENCE_GOAL], { env, stdin: '2\nlast\nApprove\n1\nship it\n' }).done;
    expect(run.code).toBe(0);
    const { session } = sessionOf(home.db);
    expect(session.stage).toBe('shipped');
    expect((session.state as { answers: Record<string, string> }).answers).toEqual({
      '0': 'the first column',
      '1': 'last',
    });
    expect(run.stdout).toContain('choose 1-6 or type a reply > 2\n');
    // Question 1's choices are gone once answered (replaced by the choice made).
    expect(run.stdout).toContain('✔ the first column — chosen by');
    expect(run.stdout).toContain('choose 1-4 or type a reply > last\n');
    expect(run.stdout).toContain('  [3] first\n  [4] last');
  });

  it('ends as not shipped (exit 1, resumable) when stdin closes at a prompt, and --resume carries on', async () => {
    const { env, home } = await setup();
    const first = await ff2(['chat', REFERENCE_GOAL], { env, stdin: '' }).done;
    expect(first.code).toBe(1);
    const { session } = sessionOf(home.db);
    expect(session).toMatchObject({ stage: 'approve_outline', status: 'waiting' });
    expect(first.stdout).toContain(
      `Input ended while ff2 was waiting for an answer; not shipped. Continue with: ff2 chat --resume ${session.id}`,
    );

    // A new process re-shows the waiting gate from the stored state and takes the answers.
    const second = await ff2(['chat', '--resume', session.id], { env, stdin: 'approve\nrun\nship it\n' })
      .done;
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Resuming session ${session.id} (terminal, at approve_outline)`);
    expect(second.stdout).toMatch(/── Outline ─+\n/);
    expect(sessionOf(home.db).session.stage).toBe('shipped');
  });

  it('prints one JSON object per bot message with --json-events', async () => {
    const { env } = await setup();
    const run = await ff2(['chat', '--auto', '--json-events', REFERENCE_GOAL], { env, stdin: '' }).done;
    expect(run.code).toBe(0);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const messages = events.filter((e) => e.type === 'message');
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages)
      expect(Object.keys(m)).toEqual([
        'type',
        'session',
        'id',
        'replaces',
        'title',
        'text',
        'buttons',
        'files',
      ]);
    expect(messages.some((m) => m.title === 'Outline')).toBe(true);
    const ready = messages.find((m) => m.title === 'Ready to run')!;
    expect(ready.buttons).toContainEqual({ n: 1, action: 'run', label: 'Run', value: null });
    expect((ready.files as { name: string; path: string }[])[0]).toMatchObject({ name: 'script.py' });
    expect(existsSync((ready.files as { path: string }[])[0]!.path)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'end', outcome: 'shipped', exitCode: 0 });
    const usage = events.filter((e) => e.type === 'usage').at(-1);
    expect(usage).toMatchObject({ calls: expect.any(Number), promptTokens: expect.any(Number) });
    expect(usage!.calls as number).toBeGreaterThan(5);
  });

  it('stops cleanly on Ctrl+C mid-generation, and --resume finishes the journey without paying twice', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const atThirdSection = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let hold = true;
    const script = referenceGoalScript();
    const { env, home, server } = await setup(async (call) => {
      if (hold && call.task === 'generate' && call.section === 'key_indexes') {
        reached();
        await held;
      }
      return script(call);
    });
    const child = ff2(['chat', '--auto', REFERENCE_GOAL], { env, stdin: null });
    await atThirdSection;
    const callsBefore = server.calls.length;
    child.child.kill('SIGINT');
    const first = await child.done;
    hold = false;
    release();
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('Interrupted: stopping the current stage…');
    const { session, versions } = sessionOf(home.db);
    expect(session).toMatchObject({ stage: 'generate', status: 'working' });
    expect(versions).toHaveLength(0);
    expect(first.stdout).toContain(
      `Stopped; the session is kept. Continue with: ff2 chat --resume ${session.id}`,
    );

    const second = await ff2(['chat', '--resume', session.id, '--auto'], { env, stdin: '' }).done;
    expect(second.code).toBe(0);
    expect(sessionOf(home.db).session.stage).toBe('shipped');
    // Sections committed before Ctrl+C were not asked for again.
    const generated = server.calls
      .slice(callsBefore)
      .map((c) => /Write the section: (\S+)/.exec(c.messages.map((m) => m.content).join('\n'))?.[1])
      .filter(Boolean);
    expect(generated[0]).toBe('key_indexes');
    expect(new Set(generated).size).toBe(generated.length);
  });

  it("shows someone else's session read-only, and steers it with --as-owner", async () => {
    const { env, home } = await setup();
    const first = await ff2(['chat', REFERENCE_GOAL], { env, stdin: '' }).done;
    expect(first.code).toBe(1);
    const { session } = sessionOf(home.db);
    const db = new Database(home.db);
    db.prepare('UPDATE sessions SET owner_id = ? WHERE id = ?').run('terminal:alice', session.id);
    db.close();

    const readOnly = await ff2(['chat', '--resume', session.id], { env, stdin: 'approve\n' }).done;
    expect(readOnly.code).toBe(1);
    expect(readOnly.stdout).toContain(`Session ${session.id} belongs to terminal:alice; shown read-only.`);
    expect(sessionOf(home.db).session.stage).toBe('approve_outline');

    const steered = await ff2(['chat', '--resume', session.id, '--as-owner', '--auto'], { env, stdin: '' })
      .done;
    expect(steered.code).toBe(0);
    expect(sessionOf(home.db).session.stage).toBe('shipped');
  });

  it('stops --auto with exit 1, resumable, where only a person can decide (repair limit)', async () => {
    const { env, home } = await setup(
      referenceGoalScript({
        section: (name) => (name === 'find_duplicates' ? BROKEN_FIND_DUPLICATES : undefined),
      }),
    );
    const run = await ff2(['chat', '--auto', REFERENCE_GOAL], {
      env: { ...env, FF2_MAX_REPAIRS: '1' },
      stdin: '',
    }).done;
    expect(run.code).toBe(1);
    const { session, runs } = sessionOf(home.db);
    expect(session).toMatchObject({ stage: 'after_repairs', status: 'waiting' });
    expect(runs.map((r) => r.status)).toEqual(['error', 'error']);
    expect(run.stdout).toContain(
      `Stopped: the repair rounds are spent; a person must decide what to change. Continue with: ff2 chat --resume ${session.id}`,
    );
  });

  it("leaves other sessions' work and undelivered messages alone", async () => {
    const { env, home } = await setup();
    const store = openStore(home.db);
    store.createSession(
      {
        id: 'slack1',
        threadKey: 'slack:C1:1.2',
        platform: 'slack',
        ownerId: 'slack:U1',
        goal: 'someone else',
        stage: 'generate',
        status: 'working',
        state: {},
      },
      { outbox: [{ threadKey: 'slack:C1:1.2', payload: { text: 'for Slack, when it is back' } }] },
    );
    store.close();

    const run = await ff2(['chat', '--auto', REFERENCE_GOAL], { env, stdin: '' }).done;
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('for Slack');
    const after = openStore(home.db);
    try {
      expect(after.getSession('slack1')).toMatchObject({ stage: 'generate', status: 'working', version: 1 });
      expect(after.pendingOutbox(['slack:C1:1.2'])).toBe(1);
    } finally {
      after.close();
    }
  });
});
