import type OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { isResponseFormatRejection, isTemperatureRejection, mapOpenAiError } from './openai-errors.js';
import { realSleep, retrying, type Sleep } from './retry.js';
import {
  addUsage,
  completeStructured,
  type JsonSchema,
  schemaInstruction,
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

/**
 * How structured answers are requested. `json_schema`: the server enforces the schema (strict).
 * `json_object`: the server guarantees JSON, the schema is in the prompt. `prompt`: nothing is
 * enforced (servers that reject both), the schema is in the prompt. Validation is ours either way.
 */
export type JsonMode = 'json_schema' | 'json_object' | 'prompt';

export interface OpenAiProviderConfig {
  /** Built by the composition root (src/main.ts). The SDK's own retries must be off (`maxRetries: 0`). */
  client: OpenAI;
  model: string;
  /** `auto` starts with json_schema and falls back when the server rejects it. */
  jsonMode: 'auto' | 'json_schema' | 'json_object';
  /** Per HTTP request, in ms. */
  timeoutMs: number;
  /** Retries of transient failures (429, 5xx, connection, timeout) per request. */
  maxRetries: number;
  /** Completion token limit when the request gives none. Default 4,096. */
  defaultMaxTokens?: number;
  /** Send `max_completion_tokens` (api.openai.com) instead of `max_tokens` (compatible servers). */
  useMaxCompletionTokens?: boolean;
  logger?: Logger;
  sleep?: Sleep;
  random?: () => number;
  /** Monotonic clock in ms, for latency. */
  now?: () => number;
}

/** LlmProvider over any OpenAI-compatible Chat Completions endpoint. */
export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai';
  readonly model: string;
  private mode: JsonMode;
  private readonly fallbackAllowed: boolean;
  private sendTemperature = true;
  private readonly logger: Logger;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly config: OpenAiProviderConfig) {
    this.model = config.model;
    this.mode = config.jsonMode === 'json_object' ? 'json_object' : 'json_schema';
    this.fallbackAllowed = config.jsonMode === 'auto';
    this.logger = config.logger ?? silentLogger;
    this.sleep = config.sleep ?? realSleep;
    this.random = config.random ?? Math.random;
    this.now = config.now ?? (() => performance.now());
  }

  /** The JSON mode this provider has settled on (it only ever moves down, once per process). */
  get jsonMode(): JsonMode {
    return this.mode;
  }

  async complete<T = string>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
    const started = this.now();
    const maxTokens = request.maxTokens ?? this.config.defaultMaxTokens ?? 4096;
    const done = (text: string, value: T, usage: Usage): CompletionResult<T> => ({
      text,
      value,
      usage,
      model: this.model,
      provider: this.name,
      latencyMs: Math.round(this.now() - started),
    });
    if (request.schema) {
      const jsonSchema = toStrictJsonSchema(request.schema);
      const out = await completeStructured(request.schema, request.messages, (messages) =>
        this.attempt(messages, request, maxTokens, jsonSchema),
      );
      return done(out.text, out.value, out.usage);
    }
    const out = await this.attempt(request.messages, request, maxTokens, undefined);
    return done(out.text, out.text as T, out.usage);
  }

  /** One answer: a truncated answer is retried once with twice the limit, then fails. */
  private async attempt(
    messages: ChatMessage[],
    request: CompletionRequest<unknown>,
    maxTokens: number,
    jsonSchema: JsonSchema | undefined,
  ): Promise<{ text: string; usage: Usage }> {
    let spent = ZERO_USAGE;
    let limit = maxTokens;
    for (let round = 0; ; round++) {
      const completion = await this.send(messages, request, limit, jsonSchema);
      spent = addUsage(spent, {
        promptTokens: completion.usage?.prompt_tokens ?? 0,
        completionTokens: completion.usage?.completion_tokens ?? 0,
      });
      const choice = completion.choices[0];
      if (!choice)
        throw new LlmError('invalid_output', true, 'The model server sent no answer.', { usage: spent });
      if (choice.message.refusal || choice.finish_reason === 'content_filter')
        throw new LlmError(
          'refused',
          false,
          `The model declined to answer${choice.message.refusal ? `: "${choice.message.refusal.slice(0, 200)}"` : ''}. Rephrase the request.`,
          { usage: spent },
        );
      if (choice.finish_reason === 'length') {
        if (round === 0) {
          this.logger.warn('answer truncated; retrying with a higher token limit', {
            stage: request.stage,
            limit,
          });
          limit *= 2;
          continue;
        }
        throw new LlmError(
          'context_overflow',
          false,
          `The answer did not fit in ${limit} tokens; ask for a smaller piece, or use a model with a larger context.`,
          { usage: spent },
        );
      }
      return { text: choice.message.content ?? '', usage: spent };
    }
  }

  /** One HTTP exchange with our retry loop; downgrades the JSON mode when the server rejects it. */
  private async send(
    messages: ChatMessage[],
    request: CompletionRequest<unknown>,
    limit: number,
    jsonSchema: JsonSchema | undefined,
  ): Promise<ChatCompletion> {
    for (;;) {
      const body = this.body(messages, request, limit, jsonSchema);
      try {
        return await retrying(
          async () => {
            try {
              return await this.config.client.chat.completions.create(body, {
                signal: request.signal,
                timeout: this.config.timeoutMs,
                maxRetries: 0,
              });
            } catch (error) {
              throw mapOpenAiError(error, Date.now());
            }
          },
          {
            maxRetries: this.config.maxRetries,
            sleep: this.sleep,
            random: this.random,
            signal: request.signal,
            onRetry: (error, attempt, waitMs) =>
              this.logger.info('retrying model call', {
                stage: request.stage,
                kind: error.kind,
                attempt,
                waitMs,
              }),
          },
        );
      } catch (error) {
        if (
          jsonSchema &&
          this.fallbackAllowed &&
          this.mode !== 'prompt' &&
          isResponseFormatRejection(error)
        ) {
          const next: JsonMode = this.mode === 'json_schema' ? 'json_object' : 'prompt';
          this.logger.warn('server rejected response_format; falling back', { from: this.mode, to: next });
          this.mode = next;
          continue;
        }
        if (this.sendTemperature && request.temperature !== undefined && isTemperatureRejection(error)) {
          this.logger.warn('model rejects temperature; sending none from now on', { model: this.model });
          this.sendTemperature = false;
          continue;
        }
        throw error;
      }
    }
  }

  private body(
    messages: ChatMessage[],
    request: CompletionRequest<unknown>,
    limit: number,
    jsonSchema: JsonSchema | undefined,
  ): ChatCompletionCreateParamsNonStreaming {
    const body: ChatCompletionCreateParamsNonStreaming = { model: this.model, messages };
    if (this.config.useMaxCompletionTokens) body.max_completion_tokens = limit;
    else body.max_tokens = limit;
    if (request.temperature !== undefined && this.sendTemperature) body.temperature = request.temperature;
    if (!jsonSchema) return body;
    if (this.mode === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: request.schemaName ?? 'answer', schema: jsonSchema, strict: true },
      };
      return body;
    }
    // The schema rides in the prompt; the server can at best guarantee JSON.
    body.messages = [
      { role: 'system', content: schemaInstruction(jsonSchema, request.schemaName ?? 'answer') },
      ...messages,
    ];
    if (this.mode === 'json_object') body.response_format = { type: 'json_object' };
    return body;
  }
}
