/**
 * Global bounds on the work every session shares: model calls, sandbox runs and analyser
 * processes each go through a Semaphore (separate limits, each with a bounded wait line). A step
 * runs inside `withSession`, so a call that has to wait can tell that session's person "busy,
 * you're number N" (once per step); a full line throws BusyError, which the router turns into a
 * note and a later retry instead of more memory.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LlmProvider } from '../llm/types.js';
import type { PythonToolchain } from '../python/types.js';
import type { Sandbox } from '../sandbox/types.js';
import type { SessionStore } from '../store/types.js';
import { type QueueStat, Semaphore } from './semaphore.js';

export type WorkResource = 'model' | 'sandbox' | 'analyser';

/** How each resource reads in a sentence ("in line for a model call"). */
export const RESOURCE_WORDS: Record<WorkResource, string> = {
  model: 'a model call',
  sandbox: 'a sandbox run',
  analyser: 'code analysis',
};

interface StepScope {
  sessionId: string;
  noticed: boolean;
}

const scope = new AsyncLocalStorage<StepScope>();

/** Runs one step of a session so bounded calls inside it know whose they are. */
export function withSession<T>(sessionId: string, run: () => Promise<T>): Promise<T> {
  return scope.run({ sessionId, noticed: false }, run);
}

export interface WorkLimitsOptions {
  modelCalls: number;
  sandboxRuns: number;
  analysers: number;
  /** Longest wait line per resource. */
  maxQueued: number;
  /** Tells a session's person something (queued into their thread). */
  say?: (sessionId: string, text: string) => void;
}

/** A `say` that queues the text into the session's thread (outside any step, like progress lines). */
export function sayInThread(
  store: Pick<SessionStore, 'getSession' | 'enqueue'>,
): (sessionId: string, text: string) => void {
  return (sessionId, text) => {
    const session = store.getSession(sessionId);
    if (session) store.enqueue(sessionId, [{ threadKey: session.threadKey, payload: { text, sessionId } }]);
  };
}

export class WorkLimits {
  readonly model: Semaphore;
  readonly sandbox: Semaphore;
  readonly analyser: Semaphore;
  readonly #say: WorkLimitsOptions['say'];

  constructor(options: WorkLimitsOptions) {
    this.model = new Semaphore('model', options.modelCalls, options.maxQueued);
    this.sandbox = new Semaphore('sandbox', options.sandboxRuns, options.maxQueued);
    this.analyser = new Semaphore('analyser', options.analysers, options.maxQueued);
    this.#say = options.say;
  }

  stats(): QueueStat[] {
    return [this.model.stat, this.sandbox.stat, this.analyser.stat];
  }

  llm(provider: LlmProvider): LlmProvider {
    return {
      name: provider.name,
      model: provider.model,
      close: async () => provider.close?.(),
      complete: (request) => this.#bounded(this.model, () => provider.complete(request), request.signal),
    };
  }

  bindSandbox(sandbox: Sandbox): Sandbox {
    return {
      run: (request) => this.#bounded(this.sandbox, () => sandbox.run(request), request.signal),
      check: () => sandbox.check(),
      close: async () => sandbox.close?.(),
    };
  }

  toolchain(python: PythonToolchain): PythonToolchain {
    return { analyze: (source) => this.#bounded(this.analyser, () => python.analyze(source)) };
  }

  #bounded<T>(semaphore: Semaphore, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const step = scope.getStore();
    return semaphore.run(task, {
      ...(signal ? { signal } : {}),
      onQueued: (position) => {
        if (!step || step.noticed || !this.#say) return;
        step.noticed = true;
        this.#say(
          step.sessionId,
          `Busy right now: you're number ${position} in line for ${RESOURCE_WORDS[semaphore.resource as WorkResource]}. I'll carry on by myself.`,
        );
      },
    });
  }
}
