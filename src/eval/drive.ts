/**
 * One eval attempt: a headless ff2 session for one goal, driven through the same App, router,
 * runner, outbox and terminal adapter as `ff2 chat --auto`. Gates follow the `--auto` policy;
 * questions get the goal's scripted answers (others their defaults); the goal's input files are
 * attached before the first run. The transcript is the terminal's own text rendering.
 */
import { createApp } from '../app.js';
import { TerminalAdapter } from '../bots/terminal/adapter.js';
import { decideAuto } from '../bots/terminal/auto.js';
import { combineChoices } from '../bots/terminal/session.js';
import type { ChatEvent, ThreadRef } from '../bots/types.js';
import { encodeThreadKey } from '../bots/types.js';
import type { Config } from '../config.js';
import type { LlmProvider } from '../llm/types.js';
import type { Logger } from '../logger.js';
import type { PythonToolchain } from '../python/types.js';
import type { Sandbox } from '../sandbox/types.js';
import type { SessionRow, SessionStore } from '../store/types.js';
import type { Goal } from './goal.js';

export interface DriveDeps {
  config: Readonly<Config>;
  store: SessionStore;
  /** The recording provider for this attempt. */
  llm: LlmProvider;
  sandbox: Sandbox;
  python: PythonToolchain;
  logger: Logger;
  /** Where the terminal adapter saves attachments (scripts, run output). */
  sessionsDir: string;
}

export interface DriveRequest {
  goal: Goal;
  thread: ThreadRef;
  /** Wall-clock limit of the whole attempt in ms. */
  timeoutMs: number;
  /** Aborts the attempt (Ctrl+C); the step in flight commits nothing. */
  signal?: AbortSignal;
}

/** How the session ended, before the hidden checks. */
export interface DriveEnd {
  session: SessionRow | undefined;
  /** shipped | ended (cancelled/failed) | stopped (a gate only a person decides) | timeout | interrupted */
  kind: 'shipped' | 'ended' | 'stopped' | 'timeout' | 'interrupted';
  /** Why it stopped, when it did not ship. */
  reason: string;
  /** How many questions the model asked, and how many the goal's answers covered. */
  asked: number;
  answered: number;
  transcript: string;
}

/** At most this many person turns per attempt (a loop guard; a normal session needs under 10). */
const MAX_TURNS = 40;

export async function driveGoal(deps: DriveDeps, request: DriveRequest): Promise<DriveEnd> {
  const { goal, thread } = request;
  const key = encodeThreadKey(thread);
  let transcript = '';
  const adapter = new TerminalAdapter({
    write: (text) => {
      transcript += text;
    },
    mode: 'text',
    color: false,
    live: false,
    sessionsDir: deps.sessionsDir,
    sessionIdFor: (t) => deps.store.getSessionByThread(encodeThreadKey(t))?.id ?? t.threadId,
    width: 80,
  });
  const app = createApp({
    config: deps.config,
    store: deps.store,
    llm: deps.llm,
    sandbox: deps.sandbox,
    python: deps.python,
    adapters: [adapter],
    logger: deps.logger,
    threadKeys: [key],
    leaseHolder: false,
    outboxPollMs: 20,
  });
  const user = { id: 'eval', name: 'eval' };
  let seq = 0;
  const event = (e: Record<string, unknown>): ChatEvent => {
    inputSeq = adapter.latestSeq();
    return {
      id: `eval:${key}:${++seq}`,
      thread,
      user,
      respond: (text: string) => adapter.reply(text),
      ...e,
    } as ChatEvent;
  };

  const deadline = Date.now() + request.timeoutMs;
  const stopper = new AbortController();
  const timer = setTimeout(() => stopper.abort(), request.timeoutMs);
  const onAbort = () => stopper.abort();
  if (request.signal?.aborted) stopper.abort();
  else request.signal?.addEventListener('abort', onAbort, { once: true });
  const stopped = new Promise<'stop'>((resolve) => {
    if (stopper.signal.aborted) resolve('stop');
    stopper.signal.addEventListener('abort', () => resolve('stop'), { once: true });
  });

  let asked = 0;
  let answered = 0;
  let answeredGate = '';
  let attached = false;
  /** Newest message seq when we last answered, and where the current gate's prompts begin. */
  let inputSeq = 0;
  let lastGate = '';
  let gateSince = 0;
  let end: Omit<DriveEnd, 'transcript' | 'asked' | 'answered'> | undefined;
  try {
    await app.start();
    await adapter.emit(event({ kind: 'start', goal: goal.goal }));
    for (let turn = 0; !end; ) {
      const idle = app.idle();
      idle.catch(() => {}); // left behind when the attempt stops; it must never reject unheard
      if ((await Promise.race([idle, stopped])) === 'stop') break;
      const session = deps.store.getSessionByThread(key);
      if (!session) {
        await sleep(50);
        continue;
      }
      if (session.status === 'done') end = { session, kind: 'shipped', reason: '' };
      else if (session.status === 'cancelled' || session.status === 'failed')
        end = { session, kind: 'ended', reason: noteOf(session) || `the session was ${session.status}` };
      else if (session.status === 'working') await sleep(50);
      else {
        if (++turn > MAX_TURNS) {
          end = { session, kind: 'stopped', reason: `more than ${MAX_TURNS} turns without an end` };
          break;
        }
        const questions = questionsOf(session.state);
        asked = Math.max(asked, questions.length);
        const gate = `${session.stage}:${stageStepOf(session.state)}`;
        if (gate !== lastGate) {
          lastGate = gate;
          gateSince = inputSeq;
        }
        if (session.stage === 'answer_questions' && goal.answers.length > 0 && answeredGate !== gate) {
          answeredGate = gate;
          const replies = scriptedAnswers(goal, questions);
          answered = replies.length;
          if (replies.length > 0) {
            adapter.note(`answers > ${replies.join(' · ')}`);
            await adapter.emit(event({ kind: 'message', text: replies.join('\n') }));
            continue;
          }
        }
        if (session.stage === 'approve_run' && !attached && goal.inputs.length > 0) {
          attached = true;
          for (const name of goal.inputs) {
            adapter.note(`attach > ${name}`);
            await adapter.emit(event({ kind: 'file', name, bytes: goal.fileBytes[name]! }));
          }
          continue;
        }
        const { choices } = combineChoices(adapter.openPrompts(thread, gateSince));
        const decision = decideAuto(session.stage, lastRunOk(session.state), choices);
        if (decision.kind === 'stop') {
          end = { session, kind: 'stopped', reason: decision.reason };
          break;
        }
        adapter.note(`auto > ${decision.kind === 'click' ? decision.button.label : decision.text}`);
        await adapter.emit(
          decision.kind === 'click'
            ? event({
                kind: 'action',
                sessionId: session.id,
                action: decision.button.action,
                ...(decision.button.value !== undefined ? { value: decision.button.value } : {}),
                message: decision.button.message,
              })
            : event({ kind: 'message', text: decision.text }),
        );
      }
    }
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
    if (stopper.signal.aborted && deps.store.getSessionByThread(key)) {
      // A timed-out or interrupted attempt is over (a resumed run starts it afresh): cancel its
      // session, as its owner would, so no server ever picks it up again.
      try {
        await adapter.emit(event({ kind: 'message', text: 'cancel' }));
      } catch (error) {
        deps.logger.warn('eval attempt not cancelled', { thread: key, error: String(error) });
      }
    }
    await app.stop({ abortRunning: stopper.signal.aborted });
  }
  const session = deps.store.getSessionByThread(key);
  if (!end) {
    const timedOut = Date.now() >= deadline - 5;
    end = timedOut
      ? { session, kind: 'timeout', reason: `the attempt ran past ${Math.round(request.timeoutMs / 1000)} s` }
      : { session, kind: 'interrupted', reason: 'interrupted' };
  }
  return { ...end, session: session ?? end.session, asked, answered, transcript };
}

/** One "N. answer" line per question the goal's answers cover (numbered as the gate reads them). */
export function scriptedAnswers(goal: Pick<Goal, 'answers'>, questions: readonly string[]): string[] {
  const lines: string[] = [];
  questions.forEach((question, i) => {
    const match = goal.answers.find((a) => new RegExp(a.match, 'i').test(question));
    if (match) lines.push(`${i + 1}. ${match.answer}`);
  });
  return lines;
}

function questionsOf(state: unknown): string[] {
  const questions = (state as { questions?: unknown } | null)?.questions;
  if (!Array.isArray(questions)) return [];
  return questions.map((q) => String((q as { question?: unknown })?.question ?? ''));
}

function stageStepOf(state: unknown): string {
  const step = (state as { stageStep?: unknown } | null)?.stageStep;
  return typeof step === 'number' ? String(step) : '';
}

function lastRunOk(state: unknown): boolean | undefined {
  const ok = (state as { lastRun?: { ok?: unknown } | null } | null)?.lastRun?.ok;
  return typeof ok === 'boolean' ? ok : undefined;
}

function noteOf(session: SessionRow): string {
  const note = (session.state as { note?: unknown } | null)?.note;
  return typeof note === 'string' ? note : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
