import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { LlmError } from './types.js';

/**
 * Local model files: where FF2_GGUF points, or a model URI resolved into `$FF2_DATA_DIR/models`
 * (downloaded once, with a progress bar). Offline, every path fails fast with a fix.
 */

/** Qwen2.5-Coder-1.5B-Instruct, Q4_K_M: about 1.1 GB on disk, ~1.5 GB of RAM with a 4k context. */
export const DEFAULT_MODEL_URI =
  'hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf';

const OFFLINE_FIX =
  'set FF2_GGUF to a local .gguf file, or set OPENAI_BASE_URL to an OpenAI-compatible server (Ollama, vLLM, llama.cpp server) or OPENAI_API_KEY to use OpenAI';

export interface ResolveModelOptions {
  /** FF2_GGUF: a file path or a model URI (`hf:…`, `https://…`); DEFAULT_MODEL_URI when absent. */
  source: string | undefined;
  modelsDir: string;
  /** Download when missing. False: only what is on disk. */
  download: boolean;
  /** Receives progress-bar text (carriage-return lines) while downloading. */
  progress?: (text: string) => void;
  /** Reachability check before downloading; default: DNS + TCP to the host within 5 s. */
  reachable?: (host: string, port: number) => Promise<boolean>;
  /** A download with no progress for this long fails. Default 60,000 ms. */
  stallMs?: number;
}

/** True for `hf:`/`http(s):` model URIs, false for file paths. */
export function isModelUri(source: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(source);
}

/**
 * The local path of the configured model, downloading it first when allowed.
 * @throws LlmError `unavailable` naming FF2_GGUF, OPENAI_BASE_URL and OPENAI_API_KEY.
 */
export async function resolveModel(options: ResolveModelOptions): Promise<string> {
  const source = options.source ?? DEFAULT_MODEL_URI;
  if (!isModelUri(source)) {
    const path = isAbsolute(source) ? source : resolve(source);
    if (existsSync(path)) return path;
    throw new LlmError('unavailable', false, `FF2_GGUF=${source} does not exist; ${OFFLINE_FIX}.`);
  }
  // Imported on use: node-llama-cpp is heavy and most commands never need it.
  const { resolveModelFile } = await import('node-llama-cpp');
  try {
    return await resolveModelFile(source, { directory: options.modelsDir, download: false, cli: false });
  } catch {
    // Not on disk yet.
  }
  if (!options.download)
    throw new LlmError(
      'unavailable',
      false,
      `The local model ${source} is not downloaded; run "ff2 models pull", or ${OFFLINE_FIX}.`,
    );
  const { host, port } = endpointOf(source);
  const reachable = await (options.reachable ?? canReach)(host, port);
  if (!reachable)
    throw new LlmError(
      'unavailable',
      false,
      `No local model, and ${host} cannot be reached to download ${source}; ${OFFLINE_FIX}.`,
    );
  return download(source, options);
}

async function download(source: string, options: ResolveModelOptions): Promise<string> {
  const { resolveModelFile } = await import('node-llama-cpp');
  const controller = new AbortController();
  const stallMs = options.stallMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let rejectStall: (error: Error) => void = () => {};
  const stalled = new Promise<never>((_, reject) => {
    rejectStall = reject;
  });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      controller.abort();
      rejectStall(new Error(`no download progress for ${Math.round(stallMs / 1000)} s`));
    }, stallMs);
  };
  const bar = progressBar(options.progress);
  arm();
  try {
    // node-llama-cpp does not always settle when aborted, hence the race with the stall watchdog.
    const path = await Promise.race([
      resolveModelFile(source, {
        directory: options.modelsDir,
        cli: false,
        signal: controller.signal,
        onProgress: (status) => {
          arm();
          bar(status.downloadedSize, status.totalSize);
        },
      }),
      stalled,
    ]);
    options.progress?.('\n');
    return path;
  } catch (error) {
    options.progress?.('\n');
    throw new LlmError(
      'unavailable',
      false,
      `Downloading ${source} failed (${(error as Error).message.slice(0, 200)}); ${OFFLINE_FIX}.`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** `[#####-----]  45%  512/1130 MB`, redrawn at most once per whole percent. */
function progressBar(write: ((text: string) => void) | undefined): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    if (!write || total <= 0) return;
    const percent = Math.floor((done / total) * 100);
    if (percent === last) return;
    last = percent;
    const filled = Math.round(percent / 4);
    const mb = (n: number) => Math.round(n / 1_048_576);
    write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(25 - filled)}] ${String(percent).padStart(3)}%  ${mb(done)}/${mb(total)} MB`,
    );
  };
}

function endpointOf(source: string): { host: string; port: number } {
  if (/^(hf:|huggingface:)/i.test(source)) return { host: 'huggingface.co', port: 443 };
  const url = new URL(source);
  return { host: url.hostname, port: Number(url.port) || (url.protocol === 'http:' ? 80 : 443) };
}

/** DNS lookup and a TCP connect, bounded to `timeoutMs` in total. */
export async function canReach(host: string, port: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const { address } = await Promise.race([
      lookup(host),
      new Promise<never>((_, reject) => deadline.addEventListener('abort', () => reject(deadline.reason))),
    ]);
    return await new Promise<boolean>((done) => {
      const socket = connect({ host: address, port });
      const finish = (ok: boolean) => {
        socket.destroy();
        done(ok);
      };
      socket.once('connect', () => finish(true));
      socket.once('error', () => finish(false));
      deadline.addEventListener('abort', () => finish(false));
    });
  } catch {
    return false;
  }
}

export interface ModelFile {
  name: string;
  path: string;
  bytes: number;
}

/** The `.gguf` files in `modelsDir`, largest first; empty when the directory is missing. */
export function listModels(modelsDir: string): ModelFile[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((name) => name.endsWith('.gguf'))
    .map((name) => {
      const path = join(modelsDir, name);
      return { name, path, bytes: statSync(path).size };
    })
    .sort((a, b) => b.bytes - a.bytes);
}
