import type { SessionRow, SessionStore } from '../../store/types.js';
import type { ChatEvent, ChatUser, ThreadRef } from '../types.js';
import { encodeThreadKey } from '../types.js';
import type { TerminalAdapter } from './adapter.js';
import { decideAuto } from './auto.js';
import { type LineSource, promptText, resolveAnswer } from './prompt.js';
import { renderUsage } from './render.js';

/**
 * Drives one session in the terminal: wait until the app is idle, read the session's status
 * from the store, and when it waits for a person, ask (or, with `--auto`, decide) and hand the
 * answer to the router as a ChatEvent. The pipeline does all the work; this only converses.
 */

/** How a terminal session ended. */
export type DriveOutcome =
  | { kind: 'shipped'; session: SessionRow }
  /** Cancelled or failed in the pipeline. */
  | { kind: 'ended'; session: SessionRow }
  /** `--auto` reached a gate only a person can decide; resumable. */
  | { kind: 'needs_person'; session: SessionRow; reason: string }
  /** Input ended while a prompt needed an answer; resumable. */
  | { kind: 'input_closed'; session: SessionRow }
  /** Ctrl+C; resumable. */
  | { kind: 'interrupted'; session: SessionRow | undefined }
  /** Someone else's session without `--as-owner`. */
  | { kind: 'read_only'; session: SessionRow };

export interface DriveOptions {
  adapter: TerminalAdapter;
  store: Pick<SessionStore, 'getSessionByThread' | 'usageTotals'>;
  /** Resolves when no step runs and nothing waits in the outbox. */
  idle: () => Promise<void>;
  lines: LineSource;
  thread: ThreadRef;
  /** Who is typing (as the router will qualify it with the thread's platform). */
  user: ChatUser;
  auto: boolean;
  /** Prompts never steer: only show where the session stands. */
  readOnly: boolean;
  /** Where prompts and echoed answers go (stdout in text mode, stderr with --json-events). */
  say: (text: string) => void;
  /** Echo the answer read (stdin is not a TTY, so the transcript shows it). */
  echo: boolean;
  color: boolean;
  signal: AbortSignal;
  randomId: () => string;
  /** Pause between looks at a session the app still works on. */
  sleep: (ms: number) => Promise<void>;
}

const INTERRUPTED = Symbol('interrupted');

export async function driveSession(o: DriveOptions): Promise<DriveOutcome> {
  const key = encodeThreadKey(o.thread);
  let lastUsage = '';
  const aborted = new Promise<typeof INTERRUPTED>((resolve) => {
    if (o.signal.aborted) resolve(INTERRUPTED);
    o.signal.addEventListener('abort', () => resolve(INTERRUPTED), { once: true });
  });
  const untilAbort = <T>(p: Promise<T>) => Promise.race([p, aborted]);

  for (;;) {
    if ((await untilAbort(o.idle())) === INTERRUPTED) return interrupted();
    const session = o.store.getSessionByThread(key);
    if (!session) {
      if ((await untilAbort(o.sleep(100))) === INTERRUPTED) return interrupted();
      continue;
    }
    const usage = o.store.usageTotals(session.id);
    const usageLine = usage.calls > 0 ? renderUsage(usage, o.color) : '';
    if (usageLine && usageLine !== lastUsage) o.adapter.note(usageLine);
    lastUsage = usageLine;

    if (session.status === 'done') return { kind: 'shipped', session };
    if (session.status === 'cancelled' || session.status === 'failed') return { kind: 'ended', session };
    if (session.status === 'working') {
      // Idle but still working: a step is scheduled (e.g. a retry after a rate limit).
      if ((await untilAbort(o.sleep(200))) === INTERRUPTED) return interrupted();
      continue;
    }
    if (o.readOnly) return { kind: 'read_only', session };

    const prompt = o.adapter.lastPrompt(o.thread);
    const buttons = prompt?.buttons ?? [];
    if (o.auto) {
      const decision = decideAuto(session.stage, lastRunOk(session.state), buttons);
      if (decision.kind === 'stop') return { kind: 'needs_person', session, reason: decision.reason };
      const label = decision.kind === 'click' ? decision.button.label : decision.text;
      o.adapter.note(`auto > ${label}`);
      await send(decision.kind === 'click' ? decision : { kind: 'text', text: decision.text });
      continue;
    }

    const answer = await untilAbort(ask(buttons));
    if (answer === INTERRUPTED) return interrupted();
    if (answer === null) return { kind: 'input_closed', session };
    await send(answer);

    async function send(
      a: { kind: 'click'; button: (typeof buttons)[number] } | { kind: 'text'; text: string },
    ) {
      const base = { id: `terminal:${o.randomId()}`, thread: o.thread, user: o.user };
      const event: ChatEvent =
        a.kind === 'click'
          ? {
              ...base,
              kind: 'action',
              sessionId: session!.id,
              action: a.button.action,
              ...(a.button.value !== undefined ? { value: a.button.value } : {}),
              ...(prompt ? { message: prompt.ref } : {}),
            }
          : { ...base, kind: 'message', text: a.text };
      await o.adapter.emit(event);
    }
  }

  function interrupted(): DriveOutcome {
    return { kind: 'interrupted', session: o.store.getSessionByThread(key) };
  }

  /** Reads lines until one means something; null when input ends. */
  async function ask(
    buttons: NonNullable<ReturnType<TerminalAdapter['lastPrompt']>>['buttons'],
  ): Promise<{ kind: 'click'; button: (typeof buttons)[number] } | { kind: 'text'; text: string } | null> {
    for (;;) {
      o.adapter.working(null);
      o.say(promptText(buttons, true));
      const line = await o.lines.next();
      if (line === null) {
        if (o.echo) o.say('\n');
        return null;
      }
      if (o.echo) o.say(`${line}\n`);
      const answer = resolveAnswer(line, buttons);
      if (answer.kind === 'button') return { kind: 'click', button: answer.button };
      if (answer.kind === 'text') return answer;
      if (answer.kind === 'invalid') o.say(`${answer.reason}\n`);
    }
  }
}

/** The last run's verdict from the pipeline state, read defensively (undefined: no run). */
function lastRunOk(state: unknown): boolean | undefined {
  if (!state || typeof state !== 'object') return undefined;
  const run = (state as { lastRun?: unknown }).lastRun;
  if (!run || typeof run !== 'object') return undefined;
  const ok = (run as { ok?: unknown }).ok;
  return typeof ok === 'boolean' ? ok : undefined;
}
