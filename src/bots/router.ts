/**
 * Chat events → sessions. Drops repeated deliveries (`store.recordInbound`), maps a thread to its
 * session, lets only the owner and FF2_APPROVERS steer (other people's messages are kept as
 * comments, their clicks get a polite refusal), and serialises work per session while sessions
 * run in parallel: one step or one input at a time per session, in arrival order.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { HumanInput } from '../pipeline/gates.js';
import { MAX_GOAL_CHARS, type PipelineRunner } from '../pipeline/runner.js';
import type { SessionRow, SessionStore } from '../store/types.js';
import { loadTemplates, templateListText } from '../templates/loader.js';
import { resolveStart } from '../templates/start.js';
import { type ChatEvent, type ChatUser, encodeThreadKey, type Platform, qualifiedUserId } from './types.js';

export interface RouterConfig {
  store: SessionStore;
  runner: PipelineRunner;
  logger: Logger;
  /** Qualified ids (`slack:U123`) who may steer any session. */
  approvers: readonly string[];
  randomId: () => string;
  /** FF2_TEMPLATES_DIR: the operator's own templates, next to the shipped ones. */
  templatesDir?: string | undefined;
  /** Called after anything was committed (wakes the outbox). */
  onCommitted?: () => void;
}

/** Runs tasks one at a time per key, in order; different keys run in parallel. */
class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  #active = 0;
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    this.#active++;
    const result = previous.then(task, task).finally(() => {
      this.#active--;
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    const settled = result.catch(() => undefined);
    this.#tails.set(key, settled);
    return result;
  }
  get active(): number {
    return this.#active;
  }
}

const REVIEW_ACTIONS = new Set(['review_approve', 'review_changes']);

export class Router {
  readonly #config: RouterConfig;
  readonly #queue = new KeyedQueue();
  /** Sessions whose step loop is running, with the signal of the step in flight. */
  readonly #driving = new Map<string, AbortController>();
  readonly #tasks = new Set<Promise<unknown>>();
  #closed = false;

  constructor(config: RouterConfig) {
    this.#config = config;
  }

  /** The adapters' callback. Never throws. */
  readonly handle = async (event: ChatEvent): Promise<void> => {
    if (this.#closed) return;
    const { store, logger } = this.#config;
    try {
      if (!store.recordInbound(event.id, event.thread.platform)) {
        logger.debug('duplicate event dropped', { id: event.id });
        return;
      }
      await this.#track(this.#dispatch(event));
    } catch (error) {
      logger.error('event failed', { id: event.id, kind: event.kind, error: describeError(error) });
      await event.respond?.('Sorry, something went wrong handling that. Please try again.').catch(() => {});
    }
  };

  /** Runs the session's working steps until it waits, ends or is cancelled. Idempotent per session. */
  drive(sessionId: string): void {
    if (this.#closed || this.#driving.has(sessionId)) return;
    const loop = async () => {
      try {
        for (;;) {
          const controller = new AbortController();
          this.#driving.set(sessionId, controller);
          const row = await this.#queue.run(sessionId, () =>
            this.#config.runner.step(sessionId, controller.signal),
          );
          if (row) this.#config.onCommitted?.();
          if (row?.status !== 'working' || this.#closed) break;
        }
      } catch (error) {
        this.#config.logger.error('session step failed', { sessionId, error: describeError(error) });
      } finally {
        this.#driving.delete(sessionId);
      }
    };
    void this.#track(loop());
  }

  /** Resolves when no event or step is in flight. */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Stops taking events and steps; in-flight steps still commit. */
  close(): void {
    this.#closed = true;
  }

  /** Aborts every step in flight (they commit nothing and re-run on the next start). */
  abortAll(): void {
    for (const controller of this.#driving.values()) controller.abort();
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#tasks.add(promise);
    void promise.finally(() => this.#tasks.delete(promise)).catch(() => {});
    return promise;
  }

  #maySteer(session: SessionRow, platform: Platform, user: ChatUser): boolean {
    const who = qualifiedUserId(platform, user);
    return who === session.ownerId || this.#config.approvers.includes(who);
  }

  async #dispatch(event: ChatEvent): Promise<void> {
    const { store } = this.#config;
    const threadKey = encodeThreadKey(event.thread);
    const actor = qualifiedUserId(event.thread.platform, event.user);
    switch (event.kind) {
      case 'start':
        return this.#start(event, threadKey, actor);
      case 'command':
        return this.#command(event, actor);
      case 'action': {
        const session = store.getSession(event.sessionId) ?? store.getSessionByThread(threadKey);
        if (!session) return void (await event.respond?.('That session no longer exists.'));
        if (REVIEW_ACTIONS.has(event.action)) return this.#review(session, event, actor);
        if (!this.#maySteerOrSay(session, event)) return;
        return this.#input(
          session,
          {
            kind: 'action',
            action: event.action,
            ...(event.value !== undefined ? { value: event.value } : {}),
          },
          actor,
          event.respond,
          event.user,
        );
      }
      case 'message':
      case 'file': {
        const session = store.getSessionByThread(threadKey);
        if (!session) return;
        if (!this.#maySteer(session, event.thread.platform, event.user)) {
          store.appendEvent(session.id, {
            type: 'comment',
            actor,
            data: event.kind === 'message' ? { text: event.text } : { file: event.name },
          });
          return;
        }
        const input: HumanInput =
          event.kind === 'message'
            ? { kind: 'message', text: event.text }
            : {
                kind: 'file',
                name: event.name,
                bytes: event.bytes,
                ...(event.text ? { text: event.text } : {}),
              };
        return this.#input(session, input, actor, event.respond, event.user);
      }
    }
  }

  #maySteerOrSay(session: SessionRow, event: Extract<ChatEvent, { kind: 'action' }>): boolean {
    if (this.#maySteer(session, event.thread.platform, event.user)) return true;
    void event
      .respond?.('Thanks — only the person who started this session (or an approver) can use these buttons.')
      .catch(() => {});
    return false;
  }

  async #input(
    session: SessionRow,
    input: HumanInput,
    actor: string,
    respond: ((text: string) => Promise<void>) | undefined,
    user?: ChatUser,
  ): Promise<void> {
    const cancelling =
      (input.kind === 'action' && input.action === 'cancel') ||
      (input.kind === 'message' && /^\s*(cancel|stop)[.!]?\s*$/i.test(input.text));
    // A cancel must not wait behind a long step: abort the step in flight (it commits nothing).
    if (cancelling) this.#driving.get(session.id)?.abort();
    const outcome = await this.#queue.run(session.id, async () =>
      this.#config.runner.applyInput(session.id, input, actor, user?.name ?? user?.id),
    );
    if ('reply' in outcome) {
      await respond?.(outcome.reply).catch(() => {});
      return;
    }
    this.#config.onCommitted?.();
    if (outcome.row.status === 'working') this.drive(session.id);
  }

  async #start(
    event: Extract<ChatEvent, { kind: 'start' }>,
    threadKey: string,
    actor: string,
  ): Promise<void> {
    const { store, runner } = this.#config;
    const from = resolveStart(event, this.#config.templatesDir);
    const goal = 'goal' in from ? from.goal : '';
    const refuse = async (text: string) => {
      if (event.respond) await event.respond(text);
      else store.enqueue(null, [{ threadKey, payload: { text } }]);
      this.#config.onCommitted?.();
    };
    if ('error' in from) return refuse(from.error);
    if (goal === '')
      return refuse('Tell me what the script should do, e.g. /ff2 remove duplicate rows from a CSV file.');
    if (goal.length > MAX_GOAL_CHARS)
      return refuse(
        `That goal is ${goal.length} characters; the limit is ${MAX_GOAL_CHARS}. Please shorten it to the essentials.`,
      );
    if (store.getSessionByThread(threadKey))
      return refuse('This thread already has a session; start a new one in a new thread.');
    const row = runner.create({
      id: this.#config.randomId(),
      threadKey,
      platform: event.thread.platform,
      ownerId: actor,
      goal,
      start: from.start,
    });
    this.#config.onCommitted?.();
    this.drive(row.id);
  }

  async #review(
    session: SessionRow,
    event: Extract<ChatEvent, { kind: 'action' }>,
    actor: string,
  ): Promise<void> {
    const { store } = this.#config;
    const verdict = event.action === 'review_approve' ? 'approved' : 'changes_requested';
    // The Slack/Discord modal's text: the review comment and, from an allowed reviewer, the change to apply.
    const comment = verdict === 'changes_requested' ? event.value?.trim() : undefined;
    store.addReview({ sessionId: session.id, reviewer: actor, verdict, ...(comment ? { comment } : {}) });
    if (verdict === 'approved')
      return void (await event.respond?.('Thanks, your approval is recorded.').catch(() => {}));
    if (!this.#maySteer(session, event.thread.platform, event.user)) {
      await event
        .respond?.('Your review is recorded. Only the owner or an approver can reopen the session.')
        .catch(() => {});
      return;
    }
    await this.#input(
      session,
      { kind: 'action', action: 'review_changes', ...(comment ? { value: comment } : {}) },
      actor,
      event.respond,
      event.user,
    );
  }

  async #command(event: Extract<ChatEvent, { kind: 'command' }>, actor: string): Promise<void> {
    const { store } = this.#config;
    const say = async (text: string) => event.respond?.(text).catch(() => {});
    if (event.command === 'help') {
      return void (await say(
        'Start a session with a goal (e.g. "/ff2 a tool that removes duplicate CSV rows"). In its thread: answer questions, approve the outline, run, then ship or reply with changes. Say "cancel" to stop.',
      ));
    }
    if (event.command === 'templates')
      return void (await say(templateListText(loadTemplates(this.#config.templatesDir).templates)));
    if (event.command === 'list') {
      const rows = store.listSessions({ ownerId: actor, limit: 10 });
      const lines = rows.map((r) => `${r.id} · ${r.stage} · ${r.goal.slice(0, 60)}`);
      return void (await say(lines.length > 0 ? lines.join('\n') : 'You have no sessions yet.'));
    }
    const session = store.getSession(event.args.trim());
    if (!session) return void (await say(`No session ${event.args.trim() || '(give its id)'}.`));
    if (!this.#maySteer(session, event.thread.platform, event.user))
      return void (await say('Only the owner or an approver can cancel that session.'));
    await this.#input(session, { kind: 'action', action: 'cancel' }, actor, event.respond, event.user);
  }
}
