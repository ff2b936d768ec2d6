import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatHistoryItem, getLlama, LlamaChat, LlamaLogLevel } from 'node-llama-cpp';
import OpenAI from 'openai';
import { z } from 'zod';
import { highByteBias, LlamaCppProvider } from '../src/llm/llama.js';
import { OpenAiProvider } from '../src/llm/openai.js';
import { toStrictJsonSchema } from '../src/llm/structured.js';
import { jsonAnswer, startOpenAiServer } from '../tests/fakes/openai-server.js';
import { writeTinyGguf } from '../tests/fakes/tiny-gguf.js';

/**
 * tiny_tokens_per_s: free generation on the tiny test GGUF, 1 thread.
 * provider_overhead_ratio: median time of one structured call through LlamaCppProvider ÷ the
 * same generation (same prompt, grammar, token bias, greedy) through node-llama-cpp directly.
 * openai_roundtrip_ms: median structured call through OpenAiProvider + the real `openai` SDK
 * against the loopback stand-in.
 */
export async function benchLlm(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-llm-'));
  try {
    const modelPath = writeTinyGguf(dir, { seed: 3, contextLength: 2048 });
    const llama = await getLlama({
      gpu: false,
      maxThreads: 1,
      build: 'never',
      logLevel: LlamaLogLevel.error,
    });
    const schema = z.object({
      ok: z.boolean(),
      size: z.enum(['small', 'medium', 'large']),
      flags: z.array(z.boolean()),
    });
    const messages = [{ role: 'user' as const, content: 'Describe the answer as JSON.' }];
    const history: ChatHistoryItem[] = [
      { type: 'user', text: messages[0]!.content },
      { type: 'model', response: [] },
    ];

    // Direct: one model, one context, a fresh LlamaChat per call (what any caller must do).
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1 });
    const grammar = await llama.createGrammarForJsonSchema(
      JSON.parse(JSON.stringify(toStrictJsonSchema(schema)).replaceAll('"anyOf":', '"oneOf":')),
    );
    const bias = highByteBias(model);
    const direct = async (extra: { grammar?: typeof grammar; maxTokens: number }) => {
      const sequence = context.getSequence();
      const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
      try {
        const r = await chat.generateResponse(history, { ...extra, tokenBias: bias, temperature: 0 });
        return { text: r.response, tokens: sequence.tokenMeter.usedOutputTokens };
      } finally {
        chat.dispose({ disposeSequence: false });
        sequence.dispose();
      }
    };

    const provider = new LlamaCppProvider({
      loadLlama: async () => llama,
      resolveModelPath: async () => modelPath,
      threads: 1,
      sequences: 1,
      contextSize: 2048,
    });
    await provider.load();

    // Warm up both paths; they must produce the same answer for the ratio to mean anything.
    const reference = await direct({ grammar, maxTokens: 512 });
    const viaProvider = await provider.complete({
      stage: 'bench',
      messages,
      schema,
      temperature: 0,
      maxTokens: 512,
    });
    if (viaProvider.text !== reference.text) throw new Error('provider and direct generations differ');

    const directMs: number[] = [];
    const providerMs: number[] = [];
    const timeDirect = async () => {
      const t = performance.now();
      await direct({ grammar, maxTokens: 512 });
      directMs.push(performance.now() - t);
    };
    const timeProvider = async () => {
      const t = performance.now();
      await provider.complete({ stage: 'bench', messages, schema, temperature: 0, maxTokens: 512 });
      providerMs.push(performance.now() - t);
    };
    // Alternate the order so machine noise falls on both sides alike.
    for (let i = 0; i < 20; i++) {
      if (i % 2) {
        await timeDirect();
        await timeProvider();
      } else {
        await timeProvider();
        await timeDirect();
      }
    }

    let tokens = 0;
    const started = performance.now();
    for (let i = 0; i < 5; i++) tokens += (await direct({ maxTokens: 200 })).tokens;
    const tokensPerS = tokens / ((performance.now() - started) / 1000);

    await provider.close();
    await context.dispose();
    await model.dispose();

    const server = await startOpenAiServer({
      respond: (req) => jsonAnswer({ ok: true, size: 'small', flags: [] }, { request: req }),
    });
    const openai = new OpenAiProvider({
      client: new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 }),
      model: 'fake-model',
      jsonMode: 'auto',
      timeoutMs: 10_000,
      maxRetries: 0,
    });
    const roundtrips: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await openai.complete({ stage: 'bench', messages, schema });
      roundtrips.push(performance.now() - t);
    }
    await server.close();
    await llama.dispose();

    return {
      tiny_tokens_per_s: Math.round(tokensPerS),
      tiny_answer_tokens: viaProvider.usage.completionTokens,
      direct_call_ms: round(median(directMs)),
      provider_call_ms: round(median(providerMs)),
      provider_overhead_ratio: round(median(providerMs) / median(directMs), 3),
      openai_roundtrip_ms: round(median(roundtrips)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function round(n: number, digits = 2): number {
  return Number(n.toFixed(digits));
}
