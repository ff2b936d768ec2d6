import { connect } from 'node:net';
import type { Config } from '../../config.js';

/**
 * Before a terminal session starts: is there a model to talk to? An unreachable server or an
 * absent local model is an environment problem (exit 3) the person should hear about at once,
 * not after a minute of retries in the middle of the interview.
 */

export interface ModelProblem {
  detail: string;
  fix: string;
}

const FIX =
  'start the model server, or set OPENAI_BASE_URL to an OpenAI-compatible server (Ollama, vLLM, llama.cpp server), OPENAI_API_KEY to use OpenAI, or FF2_GGUF to a local .gguf file';

/**
 * Undefined when the model looks usable. For `openai`: the server accepts a TCP connection
 * (any HTTP answer will do; the first call reports the rest). For `llama`: the GGUF is on disk,
 * downloading the default model first when it is missing (progress on `progress`).
 */
export async function checkModel(
  config: Readonly<Config>,
  progress: (text: string) => void,
  timeoutMs = 5000,
): Promise<ModelProblem | undefined> {
  if (config.llm.provider === 'openai') {
    const base = config.llm.openai.baseUrl ?? 'https://api.openai.com/v1';
    const url = new URL(base);
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    if (await canConnect(url.hostname, port, timeoutMs)) return undefined;
    return { detail: `cannot reach the model server at ${base}`, fix: FIX };
  }
  const { gguf, modelsDir } = config.llm.llama;
  const { resolveModel, DEFAULT_MODEL_URI, isModelUri } = await import('../../llm/llama-models.js');
  const source = gguf ?? DEFAULT_MODEL_URI;
  try {
    await resolveModel({ source: gguf, modelsDir, download: false });
    return undefined;
  } catch (error) {
    // A missing file path cannot be downloaded; a model URI not on disk is fetched on first run.
    if (!isModelUri(source)) return { detail: (error as Error).message, fix: FIX };
  }
  try {
    progress(
      `First run: downloading the local model ${source}${gguf ? '' : ' (about 1.1 GB)'} into ${modelsDir}.\n` +
        'This is the only step that needs the internet. To use a server instead, set OPENAI_BASE_URL or OPENAI_API_KEY.\n',
    );
    await resolveModel({ source: gguf, modelsDir, download: true, progress });
    return undefined;
  } catch (error) {
    return { detail: (error as Error).message, fix: FIX };
  }
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    }
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
