import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAiProvider } from '../../../src/llm/openai.js';
import { LlmError } from '../../../src/llm/types.js';
import { createRecordingProvider } from '../../../src/llm/usage.js';
import { openStore } from '../../../src/store/sqlite.js';
import { jsonAnswer, type OpenAiServer, startOpenAiServer } from '../../fakes/openai-server.js';

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
});

describe('recorded model calls in the SQLite store', () => {
  it('writes llm_calls rows with correct totals, replays by key, and stops at the budget before calling', async () => {
    server = await startOpenAiServer({
      respond: () => jsonAnswer({ n: 1 }, { usage: { prompt_tokens: 400, completion_tokens: 100 } }),
    });
    const store = openStore(':memory:');
    store.createSession({
      id: 's1',
      threadKey: 'terminal:local:1',
      platform: 'terminal',
      ownerId: 'terminal:me',
      goal: 'g',
      stage: 'outline',
      status: 'working',
      state: {},
    });
    const llm = createRecordingProvider({
      provider: new OpenAiProvider({
        client: new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 }),
        model: 'gpt-4o-mini',
        jsonMode: 'auto',
        timeoutMs: 5000,
        maxRetries: 0,
      }),
      store,
      budget: { usd: undefined, tokens: 1000 },
    });
    const schema = z.object({ n: z.number() });
    const ask = { messages: [{ role: 'user' as const, content: 'n?' }], schema, sessionId: 's1' };

    await llm.complete({ ...ask, stage: 'outline', callKey: 'outline:1' });
    const replay = await llm.complete({ ...ask, stage: 'outline', callKey: 'outline:1' });
    expect(replay.replayed).toBe(true);
    await llm.complete({ ...ask, stage: 'generate', callKey: 'generate:1' });
    expect(server.calls).toHaveLength(2);

    const totals = store.usageTotals('s1');
    expect(totals).toMatchObject({ calls: 2, promptTokens: 800, completionTokens: 200 });
    expect(totals.costUsd).toBeCloseTo((800 * 0.15 + 200 * 0.6) / 1e6, 12);
    expect(store.listLlmCalls('s1').map((r) => [r.stage, r.outcome, r.callKey])).toEqual([
      ['outline', 'ok', 'outline:1'],
      ['generate', 'ok', 'generate:1'],
    ]);

    const over = await llm
      .complete({ ...ask, stage: 'review', callKey: 'review:1' })
      .catch((e: unknown) => e);
    expect(over).toBeInstanceOf(LlmError);
    expect((over as LlmError).kind).toBe('budget_exceeded');
    expect(server.calls).toHaveLength(2);
    store.close();
  });
});
