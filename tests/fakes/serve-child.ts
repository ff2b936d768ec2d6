import { type OpenAiServer, startOpenAiServer } from './openai-server.js';
import { referenceGoalScript, respondFromScript } from './scripted-llm.js';

/**
 * The reference-goal model served over HTTP, taking `delayMs` per call so a signal sent to an
 * `ff2 serve` child lands while sections are being generated.
 */
export function startSlowReferenceModel(delayMs = 150): Promise<OpenAiServer> {
  const script = respondFromScript(referenceGoalScript());
  return startOpenAiServer({
    respond: async (request) => {
      await new Promise((r) => setTimeout(r, delayMs));
      return script(request);
    },
  });
}

/** Environment of an `ff2 serve` child: data in `dir`, quiet logs, the model at `modelUrl`. */
export function serveChildEnv(dir: string, modelUrl: string): Record<string, string> {
  return {
    FF2_DATA_DIR: dir,
    FF2_LOG_LEVEL: 'error',
    FF2_SANDBOX_TIMEOUT_S: '20',
    FF2_HTTP_PORT: '0',
    FF2_LLM: 'openai',
    OPENAI_BASE_URL: modelUrl,
    OPENAI_API_KEY: 'test',
    FF2_MODEL: 'fake-model',
  };
}
