import type { ZodType } from 'zod';
import type { PriceEntry } from '../config.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { SessionStore, UsageTotals } from '../store/types.js';
import { parseAnswer } from './json.js';
import {
  type CompletionRequest,
  type CompletionResult,
  LlmError,
  type LlmProvider,
  type Usage,
} from './types.js';

/**
 * Token and cost accounting: every model call becomes an `llm_calls` row, a recorded answer is
 * replayed instead of paid twice, and a session's budget is checked before each call.
 */

/** USD per million tokens, list prices of common OpenAI models; FF2_PRICES overrides or adds. */
export const DEFAULT_PRICES: Readonly<Record<string, PriceEntry>> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5': { input: 1.25, output: 10 },
  'o4-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
};

/**
 * The price of `model`: an exact entry, else the longest entry the id starts with (dated
 * snapshots such as `gpt-4o-mini-2024-07-18`). Overrides win over defaults. Undefined if unknown.
 */
export function priceFor(
  model: string,
  overrides: Readonly<Record<string, PriceEntry>> = {},
): PriceEntry | undefined {
  for (const table of [overrides, DEFAULT_PRICES]) {
    if (table[model]) return table[model];
    const prefix = Object.keys(table)
      .filter((key) => model.startsWith(`${key}-`))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix) return table[prefix];
  }
  return undefined;
}

/** Estimated USD cost; local models (provider `llama`) and unknown models cost 0. */
export function estimateCost(
  provider: string,
  model: string,
  usage: Usage,
  overrides: Readonly<Record<string, PriceEntry>> = {},
): number {
  if (provider === 'llama') return 0;
  const price = priceFor(model, overrides);
  if (!price) return 0;
  return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
}

export interface Budget {
  /** USD per session; undefined = unlimited. */
  usd: number | undefined;
  /** Prompt + completion tokens per session; undefined = unlimited. */
  tokens: number | undefined;
}

/**
 * The `budget_exceeded` error when `totals` have reached the budget, else undefined. The
 * pipeline can call this before a stage to pause and ask the user.
 */
export function checkBudget(totals: UsageTotals, budget: Budget): LlmError | undefined {
  const tokens = totals.promptTokens + totals.completionTokens;
  if (budget.usd !== undefined && totals.costUsd >= budget.usd)
    return new LlmError(
      'budget_exceeded',
      false,
      `This session has spent $${totals.costUsd.toFixed(4)} of its $${budget.usd} budget (FF2_BUDGET_USD); raise the budget to continue.`,
    );
  if (budget.tokens !== undefined && tokens >= budget.tokens)
    return new LlmError(
      'budget_exceeded',
      false,
      `This session has used ${tokens} of its ${budget.tokens} tokens (FF2_BUDGET_TOKENS); raise the budget to continue.`,
    );
  return undefined;
}

/** The four store methods accounting needs (the SQLite store has them all). */
export type UsageStore = Pick<SessionStore, 'recordLlmCall' | 'findLlmCall' | 'usageTotals'>;

export interface RecordingProviderOptions {
  provider: LlmProvider;
  store: UsageStore;
  budget: Budget;
  /** FF2_PRICES overrides. */
  prices?: Readonly<Record<string, PriceEntry>>;
  /** Monotonic clock in ms, for the latency of failed calls. */
  now?: () => number;
  logger?: Logger;
}

/**
 * Wraps a provider so that each call with a `sessionId`: replays a recorded successful answer with
 * the same `callKey` (no model call, `replayed: true`, zero usage); else fails with
 * `budget_exceeded` BEFORE calling when the session's budget is spent; else calls the model and
 * records the outcome (ok or failed, with tokens, latency and cost) in `llm_calls`.
 */
export function createRecordingProvider(options: RecordingProviderOptions): LlmProvider {
  const { provider, store, budget } = options;
  const prices = options.prices ?? {};
  const now = options.now ?? (() => performance.now());
  const logger = options.logger ?? silentLogger;

  return {
    name: provider.name,
    model: provider.model,
    async close() {
      await provider.close?.();
    },
    async complete<T = string>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
      const sessionId = request.sessionId ?? null;
      if (sessionId !== null && request.callKey) {
        const replay = replayed(store, sessionId, request.callKey, request.schema);
        if (replay) {
          logger.debug('replaying recorded model call', { sessionId, callKey: request.callKey });
          return { ...replay, value: replay.value as T };
        }
      }
      if (sessionId !== null) {
        const scale = Math.max(1, request.budgetScale ?? 1);
        const over = checkBudget(store.usageTotals(sessionId), {
          usd: budget.usd === undefined ? undefined : budget.usd * scale,
          tokens: budget.tokens === undefined ? undefined : budget.tokens * scale,
        });
        if (over) throw over;
      }
      const started = now();
      const base = {
        sessionId,
        stage: request.stage,
        callKey: request.callKey ?? null,
        provider: provider.name,
      };
      let result: CompletionResult<T>;
      try {
        result = await provider.complete(request);
      } catch (caught) {
        const error =
          caught instanceof LlmError
            ? caught
            : new LlmError('unavailable', false, 'The model call failed unexpectedly.', { cause: caught });
        const usage = error.usage ?? { promptTokens: 0, completionTokens: 0 };
        store.recordLlmCall({
          ...base,
          model: provider.model,
          promptTokens: usage.promptTokens,
          completionTokens: usage.completionTokens,
          latencyMs: Math.round(now() - started),
          costUsd: estimateCost(provider.name, provider.model, usage, prices),
          outcome: error.kind,
          response: null,
        });
        throw error;
      }
      const costUsd = estimateCost(result.provider, result.model, result.usage, prices);
      store.recordLlmCall({
        ...base,
        model: result.model,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        latencyMs: result.latencyMs,
        costUsd,
        outcome: 'ok',
        response: result.text,
      });
      return { ...result, costUsd };
    },
  };
}

function replayed(
  store: UsageStore,
  sessionId: string,
  callKey: string,
  schema: ZodType | undefined,
): CompletionResult<unknown> | undefined {
  const row = store.findLlmCall(sessionId, callKey);
  if (row?.outcome !== 'ok' || row.response === null) return undefined;
  let value: unknown = row.response;
  if (schema) {
    // A schema changed since the recording (an upgrade) means the answer is paid for again.
    const parsed = parseAnswer(schema, row.response);
    if (!parsed.ok) return undefined;
    value = parsed.value;
  }
  return {
    text: row.response,
    value,
    usage: { promptTokens: 0, completionTokens: 0 },
    model: row.model,
    provider: row.provider,
    latencyMs: 0,
    costUsd: 0,
    replayed: true,
  };
}
