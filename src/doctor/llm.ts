import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { createLlmProvider } from '../llm/create.js';
import type { LlmError } from '../llm/types.js';
import { isLlmError } from '../llm/types.js';
import { silentLogger } from '../logger.js';
import type { DoctorCheck } from './types.js';

/** The whole check never takes longer than this, online or off. */
const DEADLINE_MS = 60_000;
const Probe = z.object({ ok: z.boolean() });

/**
 * A real structured round trip (a one-field schema) through the configured provider, reporting
 * provider, model, JSON mode and latency — or the exact reason and a fix. Never downloads a model.
 */
export const llmCheck: DoctorCheck = {
  name: 'llm',
  async run(config) {
    // One try, a short timeout: doctor reports, it does not wait out an outage.
    const bounded: Readonly<Config> = {
      ...config,
      llm: {
        ...config.llm,
        openai: { ...config.llm.openai, maxRetries: 0, timeoutS: Math.min(config.llm.openai.timeoutS, 30) },
      },
    };
    const where = describeTarget(config);
    let provider: Awaited<ReturnType<typeof createLlmProvider>> | undefined;
    try {
      provider = await createLlmProvider(bounded, silentLogger, { download: false });
      const signal = AbortSignal.timeout(DEADLINE_MS);
      const result = await provider.complete({
        stage: 'doctor',
        messages: [{ role: 'user', content: 'Reply with the JSON object {"ok": true}.' }],
        schema: Probe,
        schemaName: 'probe',
        temperature: 0,
        maxTokens: 512,
        signal,
      });
      const mode = 'jsonMode' in provider ? `, JSON mode ${String(provider.jsonMode)}` : ', JSON grammar';
      return {
        name: 'llm',
        ok: true,
        detail: `${result.provider} ${result.model}${where}${mode}, ${result.latencyMs} ms, ${result.usage.promptTokens}+${result.usage.completionTokens} tokens`,
      };
    } catch (error) {
      if (error instanceof ConfigError)
        return { name: 'llm', ok: false, detail: error.message, fix: fixFor(undefined, config) };
      const detail = isLlmError(error)
        ? `${config.llm.provider}${where}: ${error.kind}: ${error.userMessage}`
        : `${config.llm.provider}${where}: ${(error as Error).message}`;
      return { name: 'llm', ok: false, detail, fix: fixFor(isLlmError(error) ? error : undefined, config) };
    } finally {
      await provider?.close?.().catch(() => {});
    }
  },
};

function describeTarget(config: Readonly<Config>): string {
  if (config.llm.provider === 'openai') return ` via ${config.llm.openai.baseUrl ?? 'api.openai.com'}`;
  return config.llm.llama.gguf ? ` (${config.llm.llama.gguf})` : '';
}

function fixFor(error: LlmError | undefined, config: Readonly<Config>): string {
  const local =
    'run "ff2 models pull", or set FF2_GGUF=/path/to/model.gguf, or set OPENAI_BASE_URL (a compatible server) or OPENAI_API_KEY (OpenAI)';
  if (config.llm.provider === 'llama') return local;
  switch (error?.kind) {
    case 'auth':
      return 'set OPENAI_API_KEY to a valid key for this server';
    case 'bad_request':
      return 'check FF2_MODEL names a model this server serves, or set FF2_JSON_MODE=json_object';
    case 'invalid_output':
      return 'use a stronger model (FF2_MODEL), or try FF2_JSON_MODE=json_object';
    case 'rate_limited':
      return 'wait, or raise the account quota for OPENAI_API_KEY';
    case 'timeout':
    case 'unavailable':
      return `start the model server at ${config.llm.openai.baseUrl ?? 'OPENAI_BASE_URL'} or fix the URL; or unset OPENAI_BASE_URL/OPENAI_API_KEY and set FF2_GGUF for a local model`;
    default:
      return 'set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server), or FF2_LLM=llama with FF2_GGUF';
  }
}
