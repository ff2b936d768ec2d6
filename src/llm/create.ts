import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * The model edge per FF2_LLM: `openai` (any OpenAI-compatible server) or `llama` (a local GGUF,
 * resolved — and on first use downloaded, with a progress bar on stderr — then loaded on the first
 * call). With `store`, calls are recorded in llm_calls, replayed by callKey and held to the budget.
 * @throws ConfigError when FF2_LLM=openai has neither OPENAI_API_KEY nor OPENAI_BASE_URL.
 */
export async function createLlmProvider(
  config: Readonly<Config>,
  logger: Logger,
  options: {
    store?: import('./usage.js').UsageStore;
    /** Download the local model when missing (default true; `ff2 doctor` passes false). */
    download?: boolean;
    progress?: (text: string) => void;
  } = {},
): Promise<import('./types.js').LlmProvider> {
  const llm = config.llm;
  let provider: import('./types.js').LlmProvider;
  if (llm.provider === 'openai') {
    const { apiKey, baseUrl, model, jsonMode, timeoutS, maxRetries } = llm.openai;
    if (!apiKey && !baseUrl) {
      const { ConfigError } = await import('../errors.js');
      throw new ConfigError(
        'OPENAI_API_KEY',
        'FF2_LLM=openai needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server such as Ollama)',
      );
    }
    const { default: OpenAI } = await import('openai');
    const { OpenAiProvider } = await import('./openai.js');
    // Our own retry loop (backoff, Retry-After) replaces the SDK's: maxRetries 0.
    const client = new OpenAI({
      baseURL: baseUrl ?? 'https://api.openai.com/v1',
      apiKey: apiKey ?? 'unused',
      maxRetries: 0,
      timeout: timeoutS * 1000,
      logLevel: 'off',
    });
    provider = new OpenAiProvider({
      client,
      model,
      jsonMode,
      timeoutMs: timeoutS * 1000,
      maxRetries,
      useMaxCompletionTokens: !baseUrl || baseUrl.includes('api.openai.com'),
      logger: logger.child('llm'),
    });
  } else {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const { LlamaCppProvider } = await import('./llama.js');
    const { resolveModel } = await import('./llama-models.js');
    const { gguf, threads, sequences, modelsDir } = llm.llama;
    const llmLogger = logger.child('llm');
    provider = new LlamaCppProvider({
      loadLlama: () =>
        getLlama({
          maxThreads: threads,
          build: 'never',
          logLevel: LlamaLogLevel.error,
          logger: (_level, message) => llmLogger.debug('llama.cpp', { message }),
        }),
      resolveModelPath: () =>
        resolveModel({
          source: gguf,
          modelsDir,
          download: options.download ?? true,
          progress: options.progress ?? ((text) => process.stderr.write(text)),
        }),
      threads,
      sequences,
      logger: llmLogger,
    });
  }
  if (!options.store) return provider;
  const { createRecordingProvider } = await import('./usage.js');
  return createRecordingProvider({
    provider,
    store: options.store,
    budget: llm.budget,
    prices: llm.prices,
    logger,
  });
}
