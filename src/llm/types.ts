import type { ZodType } from 'zod';
import { AppError } from '../errors.js';

/**
 * The model edge's contracts. Every stage asks for a structured answer through LlmProvider;
 * providers map every foreign failure to LlmError once, and never pass unvalidated output on.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest<T = string> {
  /** Pipeline stage asking (for usage rows and logs), e.g. "outline". */
  stage: string;
  messages: ChatMessage[];
  /** When given, the answer must be JSON matching this schema; `value` is the validated result. */
  schema?: ZodType<T>;
  /** Name of the schema for providers that need one (json_schema.name). Default "answer". */
  schemaName?: string;
  /** Sampling temperature; provider default when absent. */
  temperature?: number;
  /** Upper bound on completion tokens; provider default (1,024 local / 4,096 remote) when absent. */
  maxTokens?: number;
  signal?: AbortSignal;
  /** The session paying for the call (usage rows, budget). */
  sessionId?: string;
  /**
   * A key unique within the session for this logical call (e.g. "generate:parse_rows:1").
   * A recorded successful call with the same key is returned again instead of paid twice.
   */
  callKey?: string;
  /**
   * How many budgets this session may spend (default 1): the configured FF2_BUDGET_* limits are
   * multiplied by it. The pipeline raises it when the owner clicks Continue on a budget pause.
   */
  budgetScale?: number;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface CompletionResult<T = string> {
  /** The raw text the model produced (the final attempt). */
  text: string;
  /** The validated value when a schema was given; otherwise the text. */
  value: T;
  /** Tokens over every attempt of this call (corrective retries included). */
  usage: Usage;
  model: string;
  provider: string;
  /** Wall time of the whole call, retries included, in ms. */
  latencyMs: number;
  /** True when the result came from the llm_calls record, not from the model. */
  replayed?: boolean;
  /** Estimated cost in USD (0 for local models). */
  costUsd?: number;
}

export type LlmFailureKind =
  | 'rate_limited'
  | 'timeout'
  | 'unavailable'
  | 'bad_request'
  | 'auth'
  | 'refused'
  | 'invalid_output'
  | 'context_overflow'
  | 'budget_exceeded'
  | 'aborted';

/** A failed model call. `userMessage` is a sentence a chat user can act on. */
export class LlmError extends AppError {
  constructor(
    readonly kind: LlmFailureKind,
    readonly retryable: boolean,
    readonly userMessage: string,
    options?: { cause?: unknown; retryAfterMs?: number; usage?: Usage },
  ) {
    super('llm_failed', userMessage, options);
    this.retryAfterMs = options?.retryAfterMs;
    this.usage = options?.usage;
  }
  readonly retryAfterMs: number | undefined;
  /** Tokens spent before the failure (e.g. two invalid answers). */
  readonly usage: Usage | undefined;
}

export interface LlmProvider {
  /** "openai" or "llama" (or a test double's name). */
  readonly name: string;
  /** The model id answers come from. */
  readonly model: string;
  /**
   * One logical call. Retries transient failures and makes one corrective retry on invalid
   * structured output.
   * @throws LlmError for every failure, never a foreign error.
   */
  complete<T = string>(request: CompletionRequest<T>): Promise<CompletionResult<T>>;
  /** Releases models, sockets. Idempotent. */
  close?(): Promise<void>;
}

export function isLlmError(error: unknown): error is LlmError {
  return error instanceof LlmError;
}
