import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type CompletionRequest,
  type CompletionResult,
  LlmError,
  type LlmProvider,
} from '../../../src/llm/types.js';
import {
  checkBudget,
  createRecordingProvider,
  estimateCost,
  priceFor,
  type UsageStore,
} from '../../../src/llm/usage.js';
import type { LlmCallRow, NewLlmCall, UsageTotals } from '../../../src/store/types.js';

/** The four store methods, in memory, with the SQLite store's semantics. */
class MemoryUsageStore implements UsageStore {
  rows: LlmCallRow[] = [];
  recordLlmCall(call: NewLlmCall): void {
    this.rows.push({ ...call, id: this.rows.length + 1, createdAt: 0 });
  }
  findLlmCall(sessionId: string, callKey: string): LlmCallRow | undefined {
    return this.rows.findLast(
      (r) => r.sessionId === sessionId && r.callKey === callKey && r.outcome === 'ok',
    );
  }
  usageTotals(sessionId: string): UsageTotals {
    const rows = this.rows.filter((r) => r.sessionId === sessionId);
    return {
      calls: rows.length,
      promptTokens: rows.reduce((n, r) => n + r.promptTokens, 0),
      completionTokens: rows.reduce((n, r) => n + r.completionTokens, 0),
      costUsd: rows.reduce((n, r) => n + r.costUsd, 0),
    };
  }
}

/** Answers from a script: each entry is a text answer or an LlmError to throw. */
class ScriptedProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  requests: CompletionRequest<unknown>[] = [];
  constructor(
    private script: (string | LlmError)[],
    opts: { name?: string; model?: string } = {},
  ) {
    this.name = opts.name ?? 'openai';
    this.model = opts.model ?? 'gpt-4o-mini';
  }
  async complete<T>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
    this.requests.push(request as CompletionRequest<unknown>);
    const next = this.script.shift();
    if (next === undefined) throw new Error('script exhausted');
    if (next instanceof LlmError) throw next;
    const value = (request.schema ? request.schema.parse(JSON.parse(next)) : next) as T;
    return {
      text: next,
      value,
      usage: { promptTokens: 1000, completionTokens: 500 },
      model: this.model,
      provider: this.name,
      latencyMs: 42,
    };
  }
}

const msg = [{ role: 'user' as const, content: 'q' }];
const noBudget = { usd: undefined, tokens: undefined };

describe('prices', () => {
  it('matches exact ids, dated snapshots, and lets overrides win', () => {
    expect(priceFor('gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(priceFor('gpt-4o-mini', { 'gpt-4o-mini': { input: 1, output: 2 } })).toEqual({
      input: 1,
      output: 2,
    });
    expect(priceFor('qwen2.5-coder')).toBeUndefined();
  });

  it('costs USD per million tokens, and nothing for local models', () => {
    const usage = { promptTokens: 1_000_000, completionTokens: 2_000_000 };
    expect(estimateCost('openai', 'gpt-4o-mini', usage)).toBeCloseTo(0.15 + 1.2, 10);
    expect(estimateCost('llama', 'gpt-4o-mini', usage)).toBe(0);
    expect(estimateCost('openai', 'my-local-server-model', usage)).toBe(0);
  });
});

describe('checkBudget', () => {
  const totals = { calls: 2, promptTokens: 600, completionTokens: 400, costUsd: 0.5 };
  it('passes under budget and fails at it, naming the variable', () => {
    expect(checkBudget(totals, { usd: 0.51, tokens: 1001 })).toBeUndefined();
    expect(checkBudget(totals, { usd: 0.5, tokens: undefined })?.userMessage).toContain('FF2_BUDGET_USD');
    expect(checkBudget(totals, { usd: undefined, tokens: 1000 })?.userMessage).toContain('FF2_BUDGET_TOKENS');
    expect(checkBudget(totals, { usd: undefined, tokens: 1000 })?.kind).toBe('budget_exceeded');
  });
});

describe('createRecordingProvider', () => {
  it('records each call with tokens, latency, cost and outcome, and totals add up', async () => {
    const store = new MemoryUsageStore();
    const inner = new ScriptedProvider(['a', 'b']);
    const llm = createRecordingProvider({ provider: inner, store, budget: noBudget });
    const first = await llm.complete({
      stage: 'outline',
      messages: msg,
      sessionId: 's1',
      callKey: 'outline:1',
    });
    await llm.complete({ stage: 'generate', messages: msg, sessionId: 's1', callKey: 'generate:1' });
    expect(first.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
    expect(store.rows[0]).toMatchObject({
      sessionId: 's1',
      stage: 'outline',
      callKey: 'outline:1',
      provider: 'openai',
      model: 'gpt-4o-mini',
      promptTokens: 1000,
      completionTokens: 500,
      latencyMs: 42,
      outcome: 'ok',
      response: 'a',
    });
    expect(store.usageTotals('s1')).toMatchObject({ calls: 2, promptTokens: 2000, completionTokens: 1000 });
    expect(store.usageTotals('s1').costUsd).toBeCloseTo(2 * first.costUsd!, 12);
  });

  it('records a failed call with its outcome and the tokens it spent, then rethrows it', async () => {
    const store = new MemoryUsageStore();
    const failure = new LlmError('invalid_output', true, 'bad', {
      usage: { promptTokens: 70, completionTokens: 30 },
    });
    let t = 0;
    const llm = createRecordingProvider({
      provider: new ScriptedProvider([failure]),
      store,
      budget: noBudget,
      now: () => (t += 25),
    });
    await expect(llm.complete({ stage: 'review', messages: msg, sessionId: 's1' })).rejects.toBe(failure);
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({
      outcome: 'invalid_output',
      promptTokens: 70,
      completionTokens: 30,
      response: null,
      latencyMs: 25,
    });
  });

  it('reports budget_exceeded before calling the model', async () => {
    const store = new MemoryUsageStore();
    const inner = new ScriptedProvider(['a', 'b']);
    const llm = createRecordingProvider({ provider: inner, store, budget: { usd: undefined, tokens: 1500 } });
    await llm.complete({ stage: 'outline', messages: msg, sessionId: 's1' });
    const error = await llm
      .complete({ stage: 'generate', messages: msg, sessionId: 's1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).kind).toBe('budget_exceeded');
    expect(inner.requests).toHaveLength(1);
    expect(store.rows).toHaveLength(1);
    // Another session is not affected.
    await llm.complete({ stage: 'outline', messages: msg, sessionId: 's2' });
    expect(inner.requests).toHaveLength(2);
  });

  it('replays a recorded successful answer with the same key instead of paying again', async () => {
    const store = new MemoryUsageStore();
    const inner = new ScriptedProvider(['{"n":1}', '{"n":2}']);
    const llm = createRecordingProvider({ provider: inner, store, budget: noBudget });
    const schema = z.object({ n: z.number() });
    const request = { stage: 'outline', messages: msg, schema, sessionId: 's1', callKey: 'outline:1' };
    const paid = await llm.complete(request);
    const again = await llm.complete(request);
    expect(inner.requests).toHaveLength(1);
    expect(again).toMatchObject({ value: { n: 1 }, replayed: true, costUsd: 0 });
    expect(again.usage).toEqual({ promptTokens: 0, completionTokens: 0 });
    expect(paid.replayed).toBeUndefined();
    expect(store.rows).toHaveLength(1);
  });

  it('does not replay a failed call, nor an answer that no longer matches the schema', async () => {
    const store = new MemoryUsageStore();
    const inner = new ScriptedProvider([new LlmError('timeout', true, 't'), '{"n":1}', '{"m":"x"}']);
    const llm = createRecordingProvider({ provider: inner, store, budget: noBudget });
    const base = { stage: 'outline', messages: msg, sessionId: 's1', callKey: 'k' };
    await expect(llm.complete({ ...base, schema: z.object({ n: z.number() }) })).rejects.toThrow();
    await llm.complete({ ...base, schema: z.object({ n: z.number() }) });
    const changed = await llm.complete({ ...base, schema: z.object({ m: z.string() }) });
    expect(changed.replayed).toBeUndefined();
    expect(inner.requests).toHaveLength(3);
  });

  it('costs local calls nothing', async () => {
    const store = new MemoryUsageStore();
    const llm = createRecordingProvider({
      provider: new ScriptedProvider(['x'], { name: 'llama', model: 'qwen' }),
      store,
      budget: { usd: 0.01, tokens: undefined },
    });
    const result = await llm.complete({ stage: 's', messages: msg, sessionId: 's1' });
    expect(result.costUsd).toBe(0);
    expect(store.rows[0]?.costUsd).toBe(0);
  });
});
