import { basename } from 'node:path';
import {
  type ChatHistoryItem,
  type Llama,
  LlamaChat,
  type LlamaContext,
  type LlamaGrammar,
  type LlamaModel,
  TokenBias,
  TokenMeter,
} from 'node-llama-cpp';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import {
  addUsage,
  completeStructured,
  type JsonSchema,
  toStrictJsonSchema,
  ZERO_USAGE,
} from './structured.js';
import {
  type ChatMessage,
  type CompletionRequest,
  type CompletionResult,
  LlmError,
  type LlmProvider,
  type Usage,
} from './types.js';

export interface LlamaCppProviderConfig {
  /** Built by the composition root: `getLlama({ maxThreads, … })`. Called once, on first use. */
  loadLlama: () => Promise<Llama>;
  /** The local .gguf path (may download first). Called once, on first use. */
  resolveModelPath: () => Promise<string>;
  /** Name reported as `model`; default: the file name once resolved. */
  modelName?: string;
  /** CPU threads for evaluation. The library default is disastrous on small machines. */
  threads: number;
  /** Concurrent calls the shared context serves; more wait their turn. */
  sequences: number;
  /** Tokens per sequence; default min(model's training size, 8,192). */
  contextSize?: number;
  /** Completion token limit when the request gives none. Default 1,024. */
  defaultMaxTokens?: number;
  logger?: Logger;
  now?: () => number;
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  bias: TokenBias;
}

/**
 * LlmProvider over node-llama-cpp: one model and one context per process with `sequences` slots,
 * the model's own chat template, and a JSON-schema grammar for structured answers.
 */
export class LlamaCppProvider implements LlmProvider {
  readonly name = 'llama';
  private loaded: Promise<Loaded> | undefined;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly waiting: (() => void)[] = [];
  private busy = 0;
  private modelId: string;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly config: LlamaCppProviderConfig) {
    this.modelId = config.modelName ?? 'local';
    this.logger = config.logger ?? silentLogger;
    this.now = config.now ?? (() => performance.now());
  }

  get model(): string {
    return this.modelId;
  }

  /** Loads the model and context now (otherwise the first call does). @throws LlmError */
  async load(): Promise<void> {
    await this.ensureLoaded();
  }

  async complete<T = string>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
    const started = this.now();
    const jsonSchema = request.schema ? toStrictJsonSchema(request.schema) : undefined;
    const loaded = await this.ensureLoaded();
    const grammar = jsonSchema ? await this.grammar(loaded.llama, jsonSchema) : undefined;
    const release = await this.acquire(request.signal);
    const sequence = loaded.context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    const maxTokens = request.maxTokens ?? this.config.defaultMaxTokens ?? 1024;
    const attempt = (messages: ChatMessage[]) =>
      this.generate(chat, messages, request, maxTokens, grammar, loaded.bias);
    try {
      const out = request.schema
        ? await completeStructured(request.schema, request.messages, attempt)
        : await attempt(request.messages).then((a) => ({ ...a, value: a.text as T }));
      return {
        text: out.text,
        value: out.value,
        usage: out.usage,
        model: this.modelId,
        provider: this.name,
        latencyMs: Math.round(this.now() - started),
        costUsd: 0,
      };
    } finally {
      chat.dispose({ disposeSequence: false });
      sequence.dispose();
      release();
    }
  }

  async close(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    const ready = await loaded.catch(() => undefined);
    if (!ready) return;
    await ready.context.dispose();
    await ready.model.dispose();
  }

  /** One answer; a truncated one is retried once with twice the limit, then fails. */
  private async generate(
    chat: LlamaChat,
    messages: ChatMessage[],
    request: CompletionRequest<unknown>,
    maxTokens: number,
    grammar: LlamaGrammar | undefined,
    bias: TokenBias,
  ): Promise<{ text: string; usage: Usage }> {
    let spent: Usage = ZERO_USAGE;
    let limit = maxTokens;
    for (let round = 0; ; round++) {
      const before = chat.sequence.tokenMeter.getState();
      let response: Awaited<ReturnType<LlamaChat['generateResponse']>>;
      try {
        response = await chat.generateResponse(toHistory(messages), {
          grammar,
          tokenBias: bias,
          maxTokens: limit,
          temperature: request.temperature,
          signal: request.signal,
        });
      } catch (error) {
        throw this.mapError(error, request.signal, addUsage(spent, meterDiff(chat, before)));
      }
      spent = addUsage(spent, meterDiff(chat, before));
      const reason = response.metadata.stopReason;
      if (reason === 'abort')
        throw new LlmError('aborted', false, 'The request was cancelled.', { usage: spent });
      if (reason !== 'maxTokens') return { text: response.response, usage: spent };
      if (round > 0)
        throw new LlmError(
          'context_overflow',
          false,
          `The answer did not fit in ${limit} tokens; ask for a smaller piece, or use a larger model.`,
          { usage: spent },
        );
      this.logger.warn('answer truncated; retrying with a higher token limit', {
        stage: request.stage,
        limit,
      });
      limit *= 2;
    }
  }

  private mapError(error: unknown, signal: AbortSignal | undefined, usage: Usage): LlmError {
    if (error instanceof LlmError) return error;
    if (signal?.aborted)
      return new LlmError('aborted', false, 'The request was cancelled.', { cause: error, usage });
    const message = error instanceof Error ? error.message : String(error);
    if (/context|too long|exceed/i.test(message))
      return new LlmError(
        'context_overflow',
        false,
        'The conversation is too long for the local model context; shorten it or use a larger model.',
        { cause: error, usage },
      );
    return new LlmError('unavailable', false, `The local model failed: ${message.slice(0, 200)}.`, {
      cause: error,
      usage,
    });
  }

  private ensureLoaded(): Promise<Loaded> {
    this.loaded ??= this.loadOnce().catch((error: unknown) => {
      this.loaded = undefined; // a later call may succeed (e.g. after `ff2 models pull`)
      throw error instanceof LlmError
        ? error
        : new LlmError(
            'unavailable',
            false,
            `The local model could not be loaded: ${(error as Error).message}.`,
            {
              cause: error,
            },
          );
    });
    return this.loaded;
  }

  private async loadOnce(): Promise<Loaded> {
    const modelPath = await this.config.resolveModelPath();
    this.modelId = this.config.modelName ?? basename(modelPath).replace(/\.gguf$/i, '');
    const llama = await this.config.loadLlama();
    const model = await llama.loadModel({ modelPath });
    const contextSize = this.config.contextSize ?? Math.min(model.trainContextSize, 8192);
    const context = await model.createContext({
      contextSize,
      sequences: this.config.sequences,
      threads: this.config.threads,
    });
    this.logger.info('local model loaded', { model: this.modelId, contextSize: context.contextSize });
    return { llama, model, context, bias: highByteBias(model) };
  }

  private grammar(llama: Llama, schema: JsonSchema): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      // anyOf (strict-mode spelling) is oneOf in node-llama-cpp's schema dialect.
      const dialect = JSON.parse(key.replaceAll('"anyOf":', '"oneOf":'));
      grammar = llama.createGrammarForJsonSchema(dialect) as Promise<LlamaGrammar>;
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  /** Waits for a free sequence slot. */
  private async acquire(signal: AbortSignal | undefined): Promise<() => void> {
    while (this.busy >= this.config.sequences) {
      if (signal?.aborted) throw new LlmError('aborted', false, 'The request was cancelled.');
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
    this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy--;
      this.waiting.shift()?.();
    };
  }
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'system'
      ? { type: 'system', text: m.content }
      : m.role === 'user'
        ? { type: 'user', text: m.content }
        : { type: 'model', response: [m.content] },
  );
  history.push({ type: 'model', response: [] });
  return history;
}

function meterDiff(chat: LlamaChat, before: ReturnType<TokenMeter['getState']>): Usage {
  const diff = TokenMeter.diff(chat.sequence.tokenMeter, before);
  return { promptTokens: diff.usedInputTokens, completionTokens: diff.usedOutputTokens };
}

/**
 * Bans byte-fallback tokens for bytes 0x80–0xFF: alone they are invalid UTF-8, which breaks JSON
 * answers (random-weight test models emit them constantly; real models rarely).
 */
export function highByteBias(model: LlamaModel): TokenBias {
  const bias = new TokenBias(model.tokenizer);
  const tokens = model.fileInfo.metadata.tokenizer?.ggml?.tokens;
  const count = Array.isArray(tokens) ? tokens.length : 0;
  for (let id = 0; id < count; id++) {
    const token = id as Parameters<LlamaModel['getTokenAttributes']>[0];
    if (!model.getTokenAttributes(token).byte) continue;
    const text = model.detokenize([token]);
    if (text.length !== 1 || text.charCodeAt(0) >= 0x80) bias.set(token, 'never');
  }
  return bias;
}
