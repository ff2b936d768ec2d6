import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createApp } from '../app.js';
import { TerminalAdapter } from '../bots/terminal/adapter.js';
import { readAttachment, terminalUser } from '../bots/terminal/local.js';
import { describeSession, endOfSession } from '../bots/terminal/outcome.js';
import { createLineSource, type LineSource } from '../bots/terminal/prompt.js';
import { type DriveOutcome, driveSession } from '../bots/terminal/session.js';
import { terminalStart } from '../bots/terminal/start-from.js';
import {
  type ChatUser,
  decodeThreadKey,
  encodeThreadKey,
  localUserId,
  qualifiedUserId,
  type ThreadRef,
} from '../bots/types.js';
import { type Config, loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { buildRuntime, describeRuntimeProblem, onInterrupt } from '../main.js';
import { MAX_GOAL_CHARS } from '../pipeline/runner.js';
import type { SessionRow } from '../store/types.js';
import { parseCommandArgs } from './args.js';
import { openExistingStore } from './sessions.js';
import type { CliIo, Command } from './types.js';

const USAGE = `Usage: ff2 chat ["<goal>"] [--from <template|script.py>] [--auto] [--json-events]
       ff2 chat --resume <session-id> [--as-owner] [--auto] [--json-events]

Runs an ff2 session in this terminal: questions, outline, generated script, sandbox run and
ship, with buttons shown as numbered choices (type the number or the label). Files are written
under $FF2_DATA_DIR/sessions/<id>/. Without a goal, asks for one.

  --from <x>      start from a template (see ff2 templates) or your own script.py, which
                  becomes version 1 as is; the goal is the change to make
  --auto          take the default answers, approve the outline and the run, ship after the
                  first run whose smoke checks pass; stop (resumable) where a person must decide
  --json-events   print one JSON object per bot message instead of text
  --resume <id>   continue a session (any platform); read-only unless you own it
  --as-owner      steer a session you do not own when resuming

At a prompt, "/attach <path>" sends a file: a .py becomes the new script version, anything
else an input file for the runs. Ctrl+C stops the current stage; the session stays resumable
with --resume.
Exit codes: 0 shipped, 1 ended without shipping, 2 usage, 3 environment (sandbox, model).`;

interface ChatArgs {
  goal: string | undefined;
  resume: string | undefined;
  asOwner: boolean;
  auto: boolean;
  json: boolean;
  from: string | undefined;
}

function parseChatArgs(args: string[]): ChatArgs {
  const { values, positionals } = parseCommandArgs({
    args,
    options: {
      resume: { type: 'string' },
      from: { type: 'string' },
      'as-owner': { type: 'boolean' },
      auto: { type: 'boolean' },
      'json-events': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const goal = positionals.length > 0 ? positionals.join(' ') : undefined;
  if (values.resume !== undefined && goal !== undefined)
    throw new UsageError('give either a goal or --resume <id>, not both');
  if (values.from !== undefined && values.resume !== undefined)
    throw new UsageError('--from starts a new session; it cannot be used with --resume');
  if (values['as-owner'] && values.resume === undefined)
    throw new UsageError('--as-owner needs --resume <id>');
  return {
    goal,
    resume: values.resume,
    asOwner: values['as-owner'] === true,
    auto: values.auto === true,
    json: values['json-events'] === true,
    from: values.from,
  };
}

/** Why a goal cannot start a session, or undefined when it can. */
export function goalProblem(goal: string): string | undefined {
  if (goal.trim() === '')
    return 'the goal is empty; say what the script should do, e.g. ff2 chat "dedupe a CSV by email"';
  if (goal.length > MAX_GOAL_CHARS)
    return `the goal is ${goal.length.toLocaleString('en-US')} characters; the limit is ${MAX_GOAL_CHARS.toLocaleString('en-US')}. Shorten it, or attach details later as a file`;
  return undefined;
}

export const chatCommand: Command = {
  name: 'chat',
  summary: 'run a session in this terminal (no Slack or Discord needed)',
  usage: USAGE,
  async run(args, io) {
    const opts = parseChatArgs(args);
    const config = loadConfig(io.env, io.cwd, { platforms: false });
    const lines = createLineSource(io.stdin);
    try {
      return await chat(opts, io, config, lines);
    } finally {
      lines.close();
    }
  },
};

async function chat(opts: ChatArgs, io: CliIo, config: Readonly<Config>, lines: LineSource): Promise<number> {
  const text = (s: string) => {
    if (!opts.json) io.out(s);
  };
  const say = opts.json ? io.err : io.out;
  const osUser = terminalUser(io.env);

  let goal = opts.goal;
  if (opts.resume === undefined && goal === undefined) {
    say('What should the script do? > ');
    goal = (await lines.next()) ?? '';
    if (!io.stdin.isTTY) say(`${goal}\n`);
  }
  if (goal !== undefined) {
    const problem = goalProblem(goal);
    if (problem) {
      io.err(`ff2 chat: ${problem}\n`);
      return 2;
    }
    goal = goal.trim();
  }
  const from =
    opts.from === undefined
      ? {}
      : terminalStart(opts.from, io.cwd, config.pipeline.templatesDir, config.sandbox.maxInputBytes);
  if ('error' in from) {
    io.err(`ff2 chat: --from: ${from.error}\n`);
    return 2;
  }

  if (opts.resume !== undefined) {
    // A session this terminal will not drive (someone else's, or ended) is only described: no
    // sandbox, model or serving lease needed.
    const existing = openExistingStore(config);
    try {
      const found = existing?.getSession(opts.resume);
      if (!existing || !found) {
        io.err(`ff2 chat: no session "${opts.resume}". List them with: ff2 sessions\n`);
        return 2;
      }
      const mine =
        found.ownerId === qualifiedUserId(decodeThreadKey(found.threadKey).platform, { id: osUser });
      const live = found.status === 'working' || found.status === 'waiting';
      if ((!mine && !opts.asOwner) || !live) {
        text(describeSession(found, existing.usageTotals(found.id)));
        const kind = found.status === 'done' ? 'shipped' : live ? 'read_only' : 'ended';
        return finish({ kind, session: found } as DriveOutcome, found, io, opts.json);
      }
    } finally {
      existing?.close();
    }
  }

  // The recording provider: usage rows for the live totals, replay on resume, the budget.
  const built = await buildRuntime(config, { preflightModel: true, progress: (t) => io.err(t) });
  if (!built.ok) {
    io.err(describeRuntimeProblem('chat', built) ?? '');
    return 3;
  }
  const { runtime } = built;
  const { store } = runtime;
  try {
    // Which thread this terminal drives, and as whom.
    let thread: ThreadRef;
    let user: ChatUser = { id: osUser, name: osUser };
    let resumed: SessionRow | undefined;
    if (opts.resume !== undefined) {
      resumed = store.getSession(opts.resume)!;
      thread = decodeThreadKey(resumed.threadKey);
      // --as-owner: act as the owner's own platform user, so the router lets the answers steer.
      if (resumed.ownerId !== qualifiedUserId(thread.platform, { id: osUser }))
        user = { id: localUserId(resumed.ownerId) };
    } else {
      thread = { platform: 'terminal', channelId: 'local', threadId: newId() };
    }
    const threadKey = encodeThreadKey(thread);

    const adapter = new TerminalAdapter({
      write: io.out,
      mode: opts.json ? 'json' : 'text',
      color: io.stdoutIsTTY && !opts.json && !io.env.NO_COLOR,
      live: io.stdoutIsTTY && !opts.json,
      sessionsDir: join(config.dataDir, 'sessions'),
      sessionIdFor: (t) => store.getSessionByThread(encodeThreadKey(t))?.id ?? t.threadId,
      platform: thread.platform,
      width: process.stdout.columns || 80,
    });
    // Only this thread (and, for a terminal session, the local channel's review card): other
    // sessions' work and messages are left for the processes that serve them.
    const threadKeys = thread.platform === 'terminal' ? [threadKey, 'terminal:local:'] : [threadKey];
    const app = createApp({ ...runtime, adapters: [adapter], threadKeys });

    const interrupt = new AbortController();
    const stopListening = onInterrupt(() => interrupt.abort());
    let outcome: DriveOutcome;
    try {
      await app.start();
      if (resumed) {
        text(`Resuming session ${resumed.id} (${resumed.platform}, at ${resumed.stage})\n`);
      } else {
        const started = adapter.emit({
          kind: 'start',
          id: `terminal:${newId()}`,
          thread,
          user,
          goal: goal!,
          ...from,
          respond: (t) => adapter.reply(t),
        });
        await started;
      }
      outcome = await driveSession({
        adapter,
        store,
        idle: () => app.idle(),
        lines,
        thread,
        user,
        auto: opts.auto,
        say,
        echo: !io.stdin.isTTY,
        color: io.stdoutIsTTY && !opts.json,
        signal: interrupt.signal,
        randomId: newId,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        readFile: (path) => readAttachment(resolve(io.cwd, path), config.sandbox.maxInputBytes),
      });
      if (outcome.kind === 'interrupted') text('\nInterrupted: stopping the current stage…\n');
    } finally {
      adapter.working(null);
      // Ctrl+C: the step in flight is aborted and commits nothing; the session stays resumable.
      await app.stop({ abortRunning: interrupt.signal.aborted });
      stopListening();
    }

    const session = store.getSessionByThread(threadKey) ?? resumed;
    return finish(outcome, session, io, opts.json);
  } finally {
    await runtime.close();
  }
}

/** Prints how the session ended and returns the exit code. */
function finish(outcome: DriveOutcome, session: SessionRow | undefined, io: CliIo, json: boolean): number {
  const end = endOfSession(outcome, session);
  if (json) io.out(`${JSON.stringify(end.event)}\n`);
  else io.out(`\n${end.line}\n`);
  return end.code;
}

function newId(): string {
  return randomBytes(5).toString('hex');
}
