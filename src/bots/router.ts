/**
 * Chat events → sessions. Drops repeated deliveries (`store.recordInbound`), maps a thread to its
 * session, lets only the owner and FF2_APPROVERS steer (other people's messages are kept as
 * comments, their clicks get a polite refusal), and serialises work per session while sessions
 * run in parallel: one step or one input at a time per session, in arrival order.
 */
import { DuplicateInboundError, describeError, StaleSessionError, StoreError } from '../errors.js';
import type { Logger } from '../logger.js';
import { BusyError } from '../ops/semaphore.js';
import { RESOURCE_WORDS, type WorkResource } from '../ops/work.js';
import type { HumanInput } from '../pipeline/gates.js';
import type { PipelineRunner } from '../pipeline/runner.js';
import type { SessionRow, SessionStore } from '../store/types.js';
import { type AccessPolicy, checkAccess, refusalText } from './access.js';
import { DEFAULT_FILE_LIMITS, type FileLimits, takeAttachment } from './attachments.js';
import { answerCommand } from './chat-commands.js';
import { KeyedQueue } from './keyed-queue.js';
import { type ReviewPolicy, recordReview } from './review.js';
import { isChatPlatform, type RouterMetrics, referenceId } from './router-support.js';
import { startSession } from './session-start.js';
import {
  type ActionEvent,
  type ChatEvent,
  type ChatUser,
  type CommandEvent,
  encodeThreadKey,
  type Platform,
  qualifiedUserId,
  type StartEvent,
} from './types.js';

export interface RouterConfig {
  store: SessionStore;
  runner: PipelineRunner;
  logger: Logger;
  /** Qualified ids (`slack:U123`) who may steer any session. */
  approvers: readonly string[];
  /** Who may use the bot at all; everyone when absent. */
  access?: AccessPolicy;
  /** Per-user session quotas (0 = no limit); none when absent. */
  quotas?: { activePerUser: number; perUserPerDay: number };
  /** FF2_REVIEW_POLICY; `others` when absent. */
  reviewPolicy?: ReviewPolicy;
  /** Attachment caps; DEFAULT_FILE_LIMITS when absent. */
  fileLimits?: FileLimits;
  /** Runs each step inside a per-session scope (bounded work knows whose call waits). */
  scope?: <T>(sessionId: string, run: () => Promise<T>) => Promise<T>;
  /** Base delay before a step postponed by a full work queue is retried, in ms. Default 2,000. */
  busyRetryMs?: number;
  /** Counters for /metrics; none when absent. */
  metrics?: RouterMetrics;
  /** Epoch ms (quota days). Default Date.now. */
  now?: () => number;
  randomId: () => string;
  /** FF2_TEMPLATES_DIR: the operator's own templates, next to the shipped ones. */
  templatesDir?: string | undefined;
  /** Called after anything was committed (wakes the outbox). */
  onCommitted?: () => void;
}

const REVIEW_ACTIONS = new Set(['review_approve', 'review_changes']);

export type { RouterMetrics } from './router-support.js';

export class Router {
  readonly #config: RouterConfig;
  readonly #queue = new KeyedQueue();
  /** Sessions whose step loop is running, with the signal of the step in flight. */
  readonly #driving = new Map<string, AbortController>();
  readonly #tasks = new Set<Promise<unknown>>();
  /** Sessions whose step waits for room in a full work queue (retry timers). */
  readonly #postponed = new Map<string, NodeJS.Timeout>();
  /** Event ids being handled now (a redelivery during handling is dropped). */
  readonly #inflight = new Set<string>();
  #closed = false;

  constructor(config: RouterConfig) {
    this.#config = config;
  }

  /**
   * The adapters' callback. Never throws. A repeat delivery (recorded in the store, or still in
   * flight here) is dropped; the dedupe row of an event that changes a session commits in the same
   * transaction as that change, and events that change nothing are recorded when handled.
   */
  readonly handle = async (event: ChatEvent): Promise<void> => {
    if (this.#closed) return;
    const { store, logger } = this.#config;
    if (this.#inflight.has(event.id) || store.hasInbound(event.id)) {
      logger.debug('duplicate event dropped', { id: event.id });
      this.#config.metrics?.duplicate(event.thread.platform);
      return;
    }
    this.#inflight.add(event.id);
    try {
      await this.#track(this.#dispatch(event));
      // Events that changed no session (refusals, comments, replies) are recorded here.
      store.recordInbound(event.id, event.thread.platform);
    } catch (error) {
      if (error instanceof DuplicateInboundError) return;
      // Not recorded: nothing was committed, so a redelivery may act on it.
      const ref = referenceId();
      logger.error('event failed', { ref, id: event.id, kind: event.kind, error: describeError(error) });
      await event
        .respond?.(`Sorry, something went wrong handling that (ref ${ref}). Please try again.`)
        .catch(() => {});
    } finally {
      this.#inflight.delete(event.id);
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
          const scope = this.#config.scope ?? ((_id, run) => run());
          const row = await this.#queue.run(sessionId, async () => {
            const stage = this.#config.metrics ? this.#config.store.getSession(sessionId)?.stage : undefined;
            const started = performance.now();
            const committed = await scope(sessionId, () =>
              this.#config.runner.step(sessionId, controller.signal),
            );
            if (stage) this.#config.metrics?.step(stage, (performance.now() - started) / 1000);
            return committed;
          });
          if (row) this.#config.onCommitted?.();
          if (row?.status !== 'working' || this.#closed) break;
        }
      } catch (error) {
        if (error instanceof BusyError) return this.#waitForRoom(sessionId, error);
        // The session moved on without this step: another worker drives it now (this one was
        // paused or cut off past its lease), or a person's input committed first. The version guard
        // and the lease fenced the step off, which is the design working.
        if (error instanceof StaleSessionError) {
          this.#config.logger.warn('session moved on elsewhere; step not committed', {
            sessionId,
            error: error.message,
          });
          return;
        }
        // The database did not take the step (down, a lock wait, a replaced connection): nothing
        // was stored, so the same step is tried again shortly; the session never ends over it.
        if (error instanceof StoreError) {
          this.#config.logger.warn('store unavailable; step retried shortly', {
            sessionId,
            error: error.message,
          });
          return this.#retryLater(sessionId);
        }
        this.#config.logger.error('session step failed', { sessionId, error: describeError(error) });
      } finally {
        this.#driving.delete(sessionId);
      }
    };
    void this.#track(loop());
  }

  /**
   * A wait line was full: say so once, then try the step again later (the session stays
   * `working`, so a restart resumes it too).
   */
  #waitForRoom(sessionId: string, error: BusyError): void {
    const { logger, store } = this.#config;
    logger.warn('work queue full; step postponed', { sessionId, resource: error.resource });
    if (!this.#postponed.has(sessionId)) {
      const session = store.getSession(sessionId);
      if (session)
        void this.#say(
          session,
          `ff2 is at capacity right now (${error.position - 1} requests already waiting for ${RESOURCE_WORDS[error.resource as WorkResource] ?? error.resource}). Your session keeps its place and will continue by itself.`,
        );
    }
    this.#retryLater(sessionId);
  }

  /** Drives the session again after `busyRetryMs` (2 s) plus jitter, unless closed first. */
  #retryLater(sessionId: string): void {
    if (this.#postponed.has(sessionId)) return;
    const delay = this.#config.busyRetryMs ?? 2000;
    const timer = setTimeout(
      () => {
        this.#postponed.delete(sessionId);
        this.drive(sessionId);
      },
      delay + Math.floor(Math.random() * delay),
    );
    timer.unref();
    this.#postponed.set(sessionId, timer);
  }

  /** Resolves when no event or step is in flight. */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Stops taking events and steps; in-flight steps still commit. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#postponed.values()) clearTimeout(timer);
    this.#postponed.clear();
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
    if (!this.#admitted(event)) return;
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
          event,
        );
      }
      case 'message':
      case 'file': {
        const session = store.getSessionByThread(threadKey);
        if (!session) return;
        if (!this.#maySteer(session, event.thread.platform, event.user)) {
          // Kept as a comment; a stranger's file is never downloaded.
          store.appendEvent(session.id, {
            type: 'comment',
            actor,
            data: event.kind === 'message' ? { text: event.text } : { file: event.name },
          });
          return;
        }
        if (event.kind === 'message')
          return this.#input(session, { kind: 'message', text: event.text }, actor, event);
        const input = await takeAttachment(
          store,
          session,
          event,
          this.#config.fileLimits ?? DEFAULT_FILE_LIMITS,
          (text) => this.#say(session, text, event.respond),
        );
        if (input) return this.#input(session, input, actor, event);
        return;
      }
    }
  }

  /** Answers the person privately when the platform can, else in the session's thread. */
  async #say(session: SessionRow, text: string, respond?: (text: string) => Promise<void>): Promise<void> {
    if (respond) return void (await respond(text).catch(() => {}));
    this.#config.store.enqueue(session.id, [
      { threadKey: session.threadKey, payload: { text, sessionId: session.id } },
    ]);
    this.#config.onCommitted?.();
  }

  /** Access lists: a refused person gets a private note (messages are ignored); nothing is stored. */
  #admitted(event: ChatEvent): boolean {
    const policy = this.#config.access;
    if (!policy) return true;
    const { platform, channelId } = event.thread;
    const verdict = checkAccess(policy, platform, event.user.id, channelId, event.place);
    if (verdict.ok) return true;
    this.#config.logger.info('event refused by access list', {
      platform,
      axis: verdict.axis,
      kind: event.kind,
    });
    if (event.kind !== 'message' && event.kind !== 'file')
      void event.respond?.(refusalText(verdict.axis, platform, this.#config.approvers)).catch(() => {});
    return false;
  }

  #maySteerOrSay(session: SessionRow, event: ActionEvent): boolean {
    if (this.#maySteer(session, event.thread.platform, event.user)) return true;
    void event
      .respond?.('Thanks — only the person who started this session (or an approver) can use these buttons.')
      .catch(() => {});
    return false;
  }

  async #input(session: SessionRow, input: HumanInput, actor: string, event: ChatEvent): Promise<void> {
    const { respond, user } = event;
    const cancelling =
      (input.kind === 'action' && input.action === 'cancel') ||
      (input.kind === 'message' && /^\s*(cancel|stop)[.!]?\s*$/i.test(input.text));
    // A cancel must not wait behind a long step: abort the step in flight (it commits nothing).
    if (cancelling) this.#driving.get(session.id)?.abort();
    const platform = session.platform as Platform;
    // The operator's own front doors (terminal, in-process) count as approvers.
    const approver = !isChatPlatform(platform) || this.#config.approvers.includes(actor);
    const outcome = await this.#queue.run(session.id, async () =>
      this.#config.runner.applyInput(session.id, input, actor, user.name ?? user.id, approver, {
        id: event.id,
        platform: event.thread.platform,
      }),
    );
    if ('reply' in outcome) {
      await respond?.(outcome.reply).catch(() => {});
      return;
    }
    this.#config.onCommitted?.();
    if (outcome.row.status === 'working') this.drive(session.id);
  }

  async #start(event: StartEvent, threadKey: string, actor: string): Promise<void> {
    const row = await startSession(this.#config, event, threadKey, actor);
    if (row) this.drive(row.id);
  }

  async #review(session: SessionRow, event: ActionEvent, actor: string): Promise<void> {
    const mayReopen = this.#maySteer(session, event.thread.platform, event.user);
    const change = await recordReview(this.#config, session, event, actor, mayReopen);
    if (change) await this.#input(session, change, actor, event);
  }

  async #command(event: CommandEvent, actor: string): Promise<void> {
    const cancel = await answerCommand(this.#config, event, actor, (session) =>
      this.#maySteer(session, event.thread.platform, event.user),
    );
    if (cancel) await this.#input(cancel, { kind: 'action', action: 'cancel' }, actor, event);
  }
}
