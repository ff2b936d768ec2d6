import type { SessionRow, SessionStore } from '../../store/types.js';
import type { ChatEvent, ChatUser, MessageRef, ThreadRef } from '../types.js';
import { encodeThreadKey } from '../types.js';
import type { DeliveredMessage, TerminalAdapter } from './adapter.js';
import { decideAuto } from './auto.js';
import { type LineSource, promptText, resolveAnswer } from './prompt.js';
import { type NumberedButton, renderChoices, renderUsage } from './render.js';
import { gateMessages } from './resume.js';

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
  /** Never steer: return `read_only` at the first point that needs a person. */
  readOnly?: boolean;
  /** Where prompts and echoed answers go (stdout in text mode, stderr with --json-events). */
  say: (text: string) => void;
  /** Echo the answer read (stdin is not a TTY, so the transcript shows it). */
  echo: boolean;
  color: boolean;
  signal: AbortSignal;
  randomId: () => string;
  /** Pause between looks at a session the app still works on. */
  sleep: (ms: number) => Promise<void>;
  /** Reads a file the person attaches with `/attach <path>` (size-checked), or says why not. */
  readFile: (path: string) => { name: string; bytes: Uint8Array } | { error: string };
}

/** What the person answered: a button, words, or a file (`/attach path`). */
type Reply =
  | { kind: 'click'; button: Choice }
  | { kind: 'text'; text: string }
  | { kind: 'file'; name: string; bytes: Uint8Array };

const INTERRUPTED = Symbol('interrupted');

export async function driveSession(o: DriveOptions): Promise<DriveOutcome> {
  const key = encodeThreadKey(o.thread);
  let lastUsage = '';
  /** Which gate the last prompt was at, and the message seq where it opened. */
  let lastGate: string | undefined;
  let gateSince = 0;
  let reshown: string | undefined;
  /** The newest message seq when the person last answered. */
  let inputSeq = 0;
  const aborted = new Promise<typeof INTERRUPTED>((resolve) => {
    if (o.signal.aborted) resolve(INTERRUPTED);
    o.signal.addEventListener('abort', () => resolve(INTERRUPTED), { once: true });
  });
  const untilAbort = <T>(p: Promise<T>) => Promise.race([p, aborted]);

  for (;;) {
    o.adapter.working('working…');
    if ((await untilAbort(o.idle())) === INTERRUPTED) return interrupted();
    const session = o.store.getSessionByThread(key);
    if (!session) {
      if ((await untilAbort(o.sleep(100))) === INTERRUPTED) return interrupted();
      continue;
    }
    const usage = o.store.usageTotals(session.id);
    const usageLine = usage.calls > 0 ? renderUsage(usage, o.color) : '';
    if (usageLine && usageLine !== lastUsage) o.adapter.usage(usage, usageLine);
    lastUsage = usageLine;

    if (session.status === 'done') return { kind: 'shipped', session };
    if (session.status === 'cancelled' || session.status === 'failed') return { kind: 'ended', session };
    if (session.status === 'working') {
      // Idle but still working: a step is scheduled (e.g. a retry after a rate limit).
      if ((await untilAbort(o.sleep(200))) === INTERRUPTED) return interrupted();
      continue;
    }
    if (o.readOnly) return { kind: 'read_only', session };

    // The choices on offer: everything with buttons since this gate opened.
    const gate = gateId(session);
    if (gate !== lastGate) {
      gateSince = inputSeq;
      lastGate = gate;
    }
    let open = o.adapter.openPrompts(o.thread, gateSince);
    if (open.length === 0 && reshown !== gate) {
      // The gate was posted by an earlier process (resume): show it again, locally.
      reshown = gate;
      for (const message of gateMessages(session.stage, session.state, session.id))
        await o.adapter.send(o.thread, message);
      open = o.adapter.openPrompts(o.thread, gateSince);
    }
    const { choices, renumbered } = combineChoices(open);
    if (o.auto) {
      const decision = decideAuto(session.stage, lastRunOk(session.state), choices);
      if (decision.kind === 'stop') return { kind: 'needs_person', session, reason: decision.reason };
      o.adapter.note(`auto > ${decision.kind === 'click' ? decision.button.label : decision.text}`);
      await send(session, decision.kind === 'click' ? decision : { kind: 'text', text: decision.text });
      continue;
    }
    if (renumbered) o.adapter.note(renderChoiceList(choices, o.color));
    const answer = await untilAbort(ask(choices));
    if (answer === INTERRUPTED) return interrupted();
    if (answer === null) return { kind: 'input_closed', session };
    await send(session, answer);
  }

  async function send(session: SessionRow, a: Reply) {
    inputSeq = o.adapter.latestSeq();
    const base = {
      id: `terminal:${o.randomId()}`,
      thread: o.thread,
      user: o.user,
      respond: (text: string) => o.adapter.reply(text),
    };
    const event: ChatEvent =
      a.kind === 'click'
        ? {
            ...base,
            kind: 'action',
            sessionId: session.id,
            action: a.button.action,
            ...(a.button.value !== undefined ? { value: a.button.value } : {}),
            message: a.button.message,
          }
        : a.kind === 'file'
          ? { ...base, kind: 'file', name: a.name, bytes: a.bytes }
          : { ...base, kind: 'message', text: a.text };
    await o.adapter.emit(event);
  }

  function interrupted(): DriveOutcome {
    return { kind: 'interrupted', session: o.store.getSessionByThread(key) };
  }

  /** Reads lines until one means something; null when input ends. */
  async function ask(buttons: Choice[]): Promise<Reply | null> {
    for (;;) {
      o.adapter.working(null);
      o.say(promptText(buttons, true));
      const line = await o.lines.next();
      if (line === null) {
        if (o.echo) o.say('\n');
        return null;
      }
      if (o.echo) o.say(`${line}\n`);
      const attach = /^\/(?:attach|file)\s+(.+)$/.exec(line.trim());
      if (attach) {
        const file = o.readFile(attach[1]!.trim());
        if ('error' in file) o.say(`${file.error}\n`);
        else return { kind: 'file', ...file };
        continue;
      }
      const answer = resolveAnswer(line, buttons);
      if (answer.kind === 'button') return { kind: 'click', button: answer.button as Choice };
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

/** A choice at a prompt: a button, numbered across every open message, and the message it came with. */
export interface Choice extends NumberedButton {
  message: MessageRef;
  /** Short context for a combined list (the message's first line). */
  context: string;
}

/**
 * Buttons of the open messages numbered 1..n in order, and whether that differs from the numbers
 * printed with the messages (then the driver prints the combined list before asking).
 */
export function combineChoices(open: readonly DeliveredMessage[]): {
  choices: Choice[];
  renumbered: boolean;
} {
  const choices: Choice[] = [];
  let renumbered = false;
  for (const d of open) {
    const context = oneLine(d.message.title ?? d.message.text);
    for (const b of d.buttons) {
      const n = choices.length + 1;
      if (b.n !== n) renumbered = true;
      choices.push({ ...b, n, message: d.ref, context });
    }
  }
  return { choices, renumbered };
}

/** The combined list shown when several messages offer choices (interview questions). */
function renderChoiceList(choices: readonly Choice[], color: boolean): string {
  const lines: string[] = ['Choices:'];
  let context: string | undefined;
  for (const c of choices) {
    if (c.context !== context) {
      context = c.context;
      lines.push(`  ${context}`);
    }
    lines.push(renderChoices([c], color).replace(/^ {2}/, '    '));
  }
  return lines.join('\n');
}

function oneLine(text: string): string {
  const first = text.split('\n')[0]!.trim();
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}

/** A gate is a waiting stage entered at one step; answering within it (a "stay") keeps it open. */
function gateId(session: SessionRow): string {
  const state = session.state as { stageStep?: unknown } | null;
  return `${session.stage}:${typeof state?.stageStep === 'number' ? state.stageStep : ''}`;
}
