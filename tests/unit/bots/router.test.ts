import { afterEach, describe, expect, it } from 'vitest';
import { Router } from '../../../src/bots/router.js';
import type { ChatEvent, ThreadRef } from '../../../src/bots/types.js';
import { StoreError } from '../../../src/errors.js';
import type { LlmProvider } from '../../../src/llm/types.js';
import { silentLogger } from '../../../src/logger.js';
import type { Stage } from '../../../src/pipeline/context.js';
import type { HumanInput } from '../../../src/pipeline/gates.js';
import { PipelineRunner } from '../../../src/pipeline/runner.js';
import { STAGES } from '../../../src/pipeline/stages/index.js';
import type { PythonToolchain } from '../../../src/python/types.js';
import type { Sandbox } from '../../../src/sandbox/types.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';

/**
 * The router on its own: a real runner over an in-memory store, with stand-in stages whose steps
 * the test holds open, so ordering is observed rather than timed.
 */

const QUESTION = { question: 'Which file?', choices: ['a.csv', 'b.csv'], default: 'a.csv' };

/** A promise the test resolves by hand. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Records, per session, whether a step is in flight when an input is applied (it must not be). */
class ProbeRunner extends PipelineRunner {
  readonly inFlight = new Map<string, number>();
  readonly overlaps: string[] = [];
  readonly steps: string[] = [];
  readonly inputs: { sessionId: string; input: HumanInput; actor: string }[] = [];
  maxParallelSteps = 0;

  override async step(sessionId: string, signal: AbortSignal) {
    this.steps.push(sessionId);
    if ((this.inFlight.get(sessionId) ?? 0) > 0) this.overlaps.push(`step:${sessionId}`);
    this.inFlight.set(sessionId, (this.inFlight.get(sessionId) ?? 0) + 1);
    const parallel = [...this.inFlight.values()].filter((n) => n > 0).length;
    this.maxParallelSteps = Math.max(this.maxParallelSteps, parallel);
    try {
      return await super.step(sessionId, signal);
    } finally {
      this.inFlight.set(sessionId, this.inFlight.get(sessionId)! - 1);
    }
  }

  override applyInput(sessionId: string, input: HumanInput, actor: string, ...rest: unknown[]) {
    this.inputs.push({ sessionId, input, actor });
    if ((this.inFlight.get(sessionId) ?? 0) > 0) this.overlaps.push(`input:${sessionId}`);
    return super.applyInput(sessionId, input, actor, ...(rest as []));
  }
}

let store: SqliteSessionStore;
afterEach(() => store?.close());

/** A router whose interview step waits for `hold` (when set) and then asks one question. */
function setup(
  options: { approvers?: string[]; hold?: Map<string, Promise<void>>; busyRetryMs?: number } = {},
) {
  store = openStore(':memory:');
  const interview: Stage = {
    async run(ctx) {
      await options.hold?.get(ctx.goal);
      return {
        result: 'questions',
        state: { ...ctx.state, questions: [QUESTION], answers: {} },
        messages: [{ text: QUESTION.question }],
      };
    },
  };
  // Past the interview the session ends: these tests are about routing, not the pipeline.
  const outline: Stage = { run: async (ctx) => ({ result: 'cancel', state: ctx.state }) };
  const runner = new ProbeRunner({
    store,
    logger: silentLogger,
    now: Date.now,
    llm: {} as LlmProvider,
    sandbox: {} as Sandbox,
    python: {} as PythonToolchain,
    maxRepairs: 3,
    stages: { ...STAGES, interview, outline },
  });
  let n = 0;
  const router = new Router({
    store,
    runner,
    logger: silentLogger,
    approvers: options.approvers ?? [],
    randomId: () => `s${++n}`,
    ...(options.busyRetryMs !== undefined ? { busyRetryMs: options.busyRetryMs } : {}),
  });
  return { router, runner };
}

const thread = (threadId: string): ThreadRef => ({ platform: 'slack', channelId: 'C1', threadId });

function start(id: string, threadId: string, goal = 'dedupe a CSV', user = 'U1'): ChatEvent {
  return { kind: 'start', id, thread: thread(threadId), user: { id: user }, goal };
}

function message(id: string, threadId: string, text: string, user = 'U1', said: string[] = []): ChatEvent {
  return {
    kind: 'message',
    id,
    thread: thread(threadId),
    user: { id: user },
    text,
    respond: async (t) => void said.push(t),
  };
}

describe('Router: dedupe', () => {
  it('acts once on an event delivered twice, one after the other and at the same time', async () => {
    const { router, runner } = setup();
    await router.handle(start('Ev1', 't1'));
    await router.handle(start('Ev1', 't1'));
    await Promise.all([router.handle(start('Ev2', 't2')), router.handle(start('Ev2', 't2'))]);
    await router.idle();
    expect(
      store
        .listSessions()
        .map((s) => s.threadKey)
        .sort(),
    ).toEqual(['slack:C1:t1', 'slack:C1:t2']);
    expect(runner.steps.sort()).toEqual(['s1', 's2']);

    await router.handle(message('Ev3', 't1', 'a.csv'));
    await router.handle(message('Ev3', 't1', 'b.csv'));
    await router.idle();
    expect(runner.inputs.map((i) => i.input)).toEqual([{ kind: 'message', text: 'a.csv' }]);
  });
});

describe('Router: a step the database did not take', () => {
  it('tries the step again shortly and never ends the session over it', async () => {
    const { router, runner } = setup({ busyRetryMs: 5 });
    const commit = store.commit.bind(store);
    let refusals = 2;
    store.commit = (...args: Parameters<typeof commit>) => {
      if (refusals-- > 0) throw new StoreError('PostgreSQL did not answer commit within 60 s');
      return commit(...args);
    };
    await router.handle(start('Ev1', 't1'));
    for (let i = 0; i < 400 && store.getSessionByThread('slack:C1:t1')?.status !== 'waiting'; i++)
      await new Promise((r) => setTimeout(r, 5));
    await router.idle();
    const session = store.getSessionByThread('slack:C1:t1')!;
    expect(session).toMatchObject({ stage: 'answer_questions', status: 'waiting' });
    expect(runner.steps).toEqual(['s1', 's1', 's1']);
    expect(store.listEvents(session.id).map((e) => e.type)).not.toContain('session_broken');
    router.close();
  });
});

describe('Router: who may steer', () => {
  it("keeps a stranger's message as a comment and refuses their click; the owner and approvers steer", async () => {
    const { router, runner } = setup({ approvers: ['slack:UAPP'] });
    await router.handle(start('Ev1', 't1'));
    await router.idle();
    const session = store.getSessionByThread('slack:C1:t1')!;
    expect(session.stage).toBe('answer_questions');

    await router.handle(message('Ev2', 't1', 'b.csv', 'U2'));
    const said: string[] = [];
    await router.handle({
      kind: 'action',
      id: 'Ev3',
      thread: thread('t1'),
      user: { id: 'U2' },
      sessionId: session.id,
      action: 'defaults',
      respond: async (t) => void said.push(t),
    });
    await router.idle();
    expect(runner.inputs).toEqual([]);
    expect(said.join('\n')).toContain('only the person who started this session');
    const comments = store.listEvents(session.id).filter((e) => e.type === 'comment');
    expect(comments.map((e) => [e.actor, e.data])).toEqual([['slack:U2', { text: 'b.csv' }]]);
    expect(store.getSession(session.id)!.stage).toBe('answer_questions');

    // An approver's answer is applied like the owner's would be.
    await router.handle(message('Ev4', 't1', 'a.csv', 'UAPP'));
    await router.idle();
    expect(runner.inputs.map((i) => i.actor)).toEqual(['slack:UAPP']);
    expect(store.getSession(session.id)!.stage).toBe('cancelled');
  });
});

describe('Router: one thing at a time per session', () => {
  it('queues an input behind the step in flight of its session while other sessions step in parallel', async () => {
    const first = gate();
    const second = gate();
    const hold = new Map([
      ['goal one', first.wait],
      ['goal two', second.wait],
    ]);
    const { router, runner } = setup({ hold });
    await router.handle(start('Ev1', 't1', 'goal one'));
    await router.handle(start('Ev2', 't2', 'goal two'));
    // Both steps are held open at once: sessions do not wait for each other.
    expect(runner.maxParallelSteps).toBe(2);

    // An answer for session 1 while its step is still running waits for that step.
    const answering = router.handle(message('Ev3', 't1', 'a.csv'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(runner.inputs).toEqual([]);
    first.open();
    await answering;
    expect(runner.inputs.map((i) => i.sessionId)).toEqual(['s1']);
    second.open();
    await router.idle();
    expect(runner.overlaps).toEqual([]);
    expect(store.getSessionByThread('slack:C1:t1')!.stage).toBe('cancelled');
    expect(store.getSessionByThread('slack:C1:t2')!.stage).toBe('answer_questions');
  });
});
