import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAiProvider, type OpenAiProviderConfig } from '../../../src/llm/openai.js';
import { LlmError } from '../../../src/llm/types.js';
import {
  answer,
  errorResponse,
  hang,
  jsonAnswer,
  type OpenAiServer,
  type Responder,
  refusal,
  rejectingJsonSchema,
  sequence,
  startOpenAiServer,
  truncated,
} from '../../fakes/openai-server.js';

const Verdict = z.object({ ok: z.boolean(), reason: z.string() });
const ask = [{ role: 'user' as const, content: 'Is 2+2 4?' }];

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(respond: Responder, overrides: Partial<OpenAiProviderConfig> = {}) {
  server = await startOpenAiServer({ respond });
  const sleeps: number[] = [];
  const provider = new OpenAiProvider({
    client: new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 }),
    model: 'fake-model',
    jsonMode: 'auto',
    timeoutMs: 5_000,
    maxRetries: 2,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  return { provider, sleeps, calls: server.calls };
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe('OpenAiProvider against an OpenAI-compatible server', () => {
  it('asks for a strict json_schema answer and returns the validated value with usage', async () => {
    const { provider, calls } = await setup(() =>
      jsonAnswer({ ok: true, reason: 'arithmetic' }, { usage: { prompt_tokens: 12, completion_tokens: 7 } }),
    );
    const result = await provider.complete({
      stage: 'review',
      messages: ask,
      schema: Verdict,
      schemaName: 'verdict',
    });
    expect(result.value).toEqual({ ok: true, reason: 'arithmetic' });
    expect(result.usage).toEqual({ promptTokens: 12, completionTokens: 7 });
    expect(result).toMatchObject({ provider: 'openai', model: 'fake-model' });
    const format = calls[0]?.body.response_format;
    expect(format?.type).toBe('json_schema');
    expect(calls[0]?.schemaName).toBe('verdict');
    expect(format?.json_schema).toMatchObject({ name: 'verdict', strict: true });
    expect(format?.json_schema?.schema).toMatchObject({
      additionalProperties: false,
      required: ['ok', 'reason'],
    });
    expect(calls[0]?.body.max_tokens).toBe(4096);
    expect(provider.jsonMode).toBe('json_schema');
  });

  it('returns plain text when no schema is given', async () => {
    const { provider, calls } = await setup(() => answer('hello'));
    const result = await provider.complete({ stage: 'chat', messages: ask, temperature: 0.2, maxTokens: 50 });
    expect(result.value).toBe('hello');
    expect(calls[0]?.body).toMatchObject({ temperature: 0.2, max_tokens: 50 });
    expect(calls[0]?.body.response_format).toBeUndefined();
  });

  it('waits exactly the Retry-After of a 429, then succeeds', async () => {
    const { provider, sleeps, calls } = await setup(
      sequence(
        () => errorResponse(429, 'Rate limit reached', { headers: { 'retry-after': '2' }, type: 'requests' }),
        () => jsonAnswer({ ok: true, reason: 'r' }),
      ),
    );
    const result = await provider.complete({ stage: 's', messages: ask, schema: Verdict });
    expect(result.value.ok).toBe(true);
    expect(sleeps).toEqual([2000]);
    expect(calls).toHaveLength(2);
  });

  it('retries a 500 with jittered exponential backoff and gives up after maxRetries', async () => {
    const { provider, sleeps, calls } = await setup(() =>
      errorResponse(500, 'boom', { type: 'server_error' }),
    );
    const error = await failure(provider.complete({ stage: 's', messages: ask }));
    expect(error.kind).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(calls).toHaveLength(3);
    // base 500 ms doubling, jitter factor 0.5 + 0.5/2 = 0.75
    expect(sleeps).toEqual([375, 750]);
    expect(error.userMessage).not.toContain('boom');
  });

  it('recovers from a 503 on the next try', async () => {
    const { provider, calls } = await setup(
      sequence(
        () => errorResponse(503, 'overloaded'),
        () => answer('fine'),
      ),
    );
    expect((await provider.complete({ stage: 's', messages: ask })).text).toBe('fine');
    expect(calls).toHaveLength(2);
  });

  it('does not retry other 4xx and types them', async () => {
    const bad = await setup(() => errorResponse(400, 'messages must not be empty'));
    const error = await failure(bad.provider.complete({ stage: 's', messages: ask }));
    expect(error.kind).toBe('bad_request');
    expect(error.retryable).toBe(false);
    expect(bad.calls).toHaveLength(1);
    await server?.close();

    const auth = await setup(() => errorResponse(401, 'Incorrect API key provided'));
    const authError = await failure(auth.provider.complete({ stage: 's', messages: ask }));
    expect(authError.kind).toBe('auth');
    expect(authError.userMessage).toContain('OPENAI_API_KEY');
    expect(auth.calls).toHaveLength(1);
  });

  it('times out a hanging request per attempt and reports timeout', async () => {
    const { provider, calls } = await setup(() => hang(), { timeoutMs: 150, maxRetries: 1 });
    const error = await failure(provider.complete({ stage: 's', messages: ask }));
    expect(error.kind).toBe('timeout');
    expect(calls).toHaveLength(2);
  });

  it('retries a truncated answer once with twice the limit', async () => {
    const { provider, calls } = await setup(
      sequence(
        () => truncated('{"ok": tr', { usage: { prompt_tokens: 5, completion_tokens: 100 } }),
        () => jsonAnswer({ ok: true, reason: 'x' }, { usage: { prompt_tokens: 5, completion_tokens: 9 } }),
      ),
    );
    const result = await provider.complete({ stage: 's', messages: ask, schema: Verdict, maxTokens: 100 });
    expect(result.value.ok).toBe(true);
    expect(calls.map((c) => c.body.max_tokens)).toEqual([100, 200]);
    expect(result.usage).toEqual({ promptTokens: 10, completionTokens: 109 });
  });

  it('reports context_overflow, not half an answer, when the answer is truncated twice', async () => {
    const { provider, calls } = await setup(() => truncated('{"ok": tr'));
    const error = await failure(
      provider.complete({ stage: 's', messages: ask, schema: Verdict, maxTokens: 64 }),
    );
    expect(error.kind).toBe('context_overflow');
    expect(calls).toHaveLength(2);
    expect(error.usage?.completionTokens).toBeGreaterThan(0);
  });

  it('types a refusal and never parses it as content', async () => {
    const { provider, calls } = await setup(() => refusal('I cannot help with that request.'));
    const error = await failure(provider.complete({ stage: 's', messages: ask, schema: Verdict }));
    expect(error.kind).toBe('refused');
    expect(error.retryable).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('falls back to json_object with the schema in the prompt, and remembers it', async () => {
    const { provider, calls } = await setup(
      rejectingJsonSchema(() => jsonAnswer({ ok: false, reason: 'no' })),
    );
    const first = await provider.complete({ stage: 's', messages: ask, schema: Verdict });
    expect(first.value).toEqual({ ok: false, reason: 'no' });
    expect(provider.jsonMode).toBe('json_object');
    expect(calls.map((c) => c.body.response_format?.type)).toEqual(['json_schema', 'json_object']);
    expect(calls[1]?.messages[0]?.role).toBe('system');
    expect(calls[1]?.messages[0]?.content).toContain('"reason"');

    await provider.complete({ stage: 's', messages: ask, schema: Verdict });
    expect(calls.map((c) => c.body.response_format?.type)).toEqual([
      'json_schema',
      'json_object',
      'json_object',
    ]);
  });

  it('does not fall back when FF2_JSON_MODE=json_schema is forced', async () => {
    const { provider, calls } = await setup(
      rejectingJsonSchema(() => jsonAnswer({ ok: true, reason: '' })),
      {
        jsonMode: 'json_schema',
      },
    );
    const error = await failure(provider.complete({ stage: 's', messages: ask, schema: Verdict }));
    expect(error.kind).toBe('bad_request');
    expect(calls).toHaveLength(1);
  });

  it('starts with json_object when FF2_JSON_MODE=json_object', async () => {
    const { provider, calls } = await setup(() => jsonAnswer({ ok: true, reason: '' }), {
      jsonMode: 'json_object',
    });
    await provider.complete({ stage: 's', messages: ask, schema: Verdict, schemaName: 'verdict' });
    expect(calls[0]?.body.response_format?.type).toBe('json_object');
    // The schema's name rides in the instruction, so the model (and the stand-in) know the task.
    expect(calls[0]?.messages[0]?.content).toMatch(/^Answer with exactly one JSON value, `verdict`,/);
    expect(calls[0]?.schemaName).toBe('verdict');
  });

  it('makes one corrective retry that shows the model its invalid JSON error', async () => {
    const { provider, calls } = await setup(
      sequence(
        () => answer('{"ok": true, "reason": ', { usage: { prompt_tokens: 10, completion_tokens: 5 } }),
        () =>
          jsonAnswer({ ok: true, reason: 'fixed' }, { usage: { prompt_tokens: 20, completion_tokens: 6 } }),
      ),
    );
    const result = await provider.complete({ stage: 's', messages: ask, schema: Verdict });
    expect(result.value.reason).toBe('fixed');
    expect(result.usage).toEqual({ promptTokens: 30, completionTokens: 11 });
    const second = calls[1]?.messages ?? [];
    expect(second.at(-2)).toEqual({ role: 'assistant', content: '{"ok": true, "reason": ' });
    expect(second.at(-1)?.content).toContain('not valid JSON');
  });

  it('fails with invalid_output after wrong-shaped JSON twice, with the tokens spent', async () => {
    const { provider, calls } = await setup(() =>
      jsonAnswer({ ok: 'yes' }, { usage: { prompt_tokens: 10, completion_tokens: 4 } }),
    );
    const error = await failure(provider.complete({ stage: 's', messages: ask, schema: Verdict }));
    expect(error.kind).toBe('invalid_output');
    expect(error.usage).toEqual({ promptTokens: 20, completionTokens: 8 });
    expect(calls).toHaveLength(2);
    expect(calls[1]?.messages.at(-1)?.content).toMatch(/ok: .*boolean/i);
  });

  it('reports aborted when the caller cancels', async () => {
    const { provider } = await setup(() => hang());
    const controller = new AbortController();
    const pending = provider.complete({ stage: 's', messages: ask, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await failure(pending);
    expect(error.kind).toBe('aborted');
  });

  it('reports unavailable when nothing listens at the base URL', async () => {
    const { provider } = await setup(() => answer('x'), { maxRetries: 1 });
    await server?.close();
    const error = await failure(provider.complete({ stage: 's', messages: ask }));
    expect(error.kind).toBe('unavailable');
    expect(error.userMessage).toContain('OPENAI_BASE_URL');
  });

  it('stops sending temperature to a model that rejects it', async () => {
    const { provider, calls } = await setup((req) =>
      req.body.temperature !== undefined
        ? errorResponse(400, "Unsupported value: 'temperature' does not support 0.2", {
            param: 'temperature',
          })
        : answer('ok'),
    );
    await provider.complete({ stage: 's', messages: ask, temperature: 0.2 });
    await provider.complete({ stage: 's', messages: ask, temperature: 0.2 });
    expect(calls.map((c) => c.body.temperature)).toEqual([0.2, undefined, undefined]);
  });
});
