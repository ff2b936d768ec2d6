import OpenAI from 'openai';
import { retryAfterMs } from './retry.js';
import { LlmError } from './types.js';

/**
 * Maps every error the `openai` SDK can throw to an LlmError, once, with a sentence a chat user
 * can act on. Never lets API error text pass as model output (SEED.md §10.2).
 */
export function mapOpenAiError(error: unknown, nowMs: number): LlmError {
  if (error instanceof LlmError) return error;
  if (error instanceof OpenAI.APIUserAbortError)
    return new LlmError('aborted', false, 'The request was cancelled.', { cause: error });
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new LlmError(
      'timeout',
      true,
      'The model server did not answer in time; try again, or raise FF2_LLM_TIMEOUT_S.',
      { cause: error },
    );
  if (error instanceof OpenAI.APIConnectionError)
    return new LlmError(
      'unavailable',
      true,
      'The model server cannot be reached; check OPENAI_BASE_URL and that the server is running.',
      { cause: error },
    );
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const status = error.status;
    const text = `${error.code ?? ''} ${error.message}`.toLowerCase();
    const retryAfter = retryAfterMs(error.headers, nowMs);
    if (status === 429) {
      if (text.includes('insufficient_quota') || text.includes('quota'))
        return new LlmError(
          'rate_limited',
          false,
          'The model account is out of quota; add credit or use another key (OPENAI_API_KEY).',
          { cause: error },
        );
      return new LlmError(
        'rate_limited',
        true,
        'The model server is rate-limiting us; I will retry shortly.',
        {
          cause: error,
          retryAfterMs: retryAfter,
        },
      );
    }
    if (status === 401 || status === 403)
      return new LlmError(
        'auth',
        false,
        `The model server refused the credentials (${status}); check OPENAI_API_KEY.`,
        { cause: error },
      );
    if (status === 404)
      return new LlmError(
        'bad_request',
        false,
        'The model server does not know this model or path (404); check FF2_MODEL and OPENAI_BASE_URL.',
        { cause: error },
      );
    if (status === 408 || status === 409 || status >= 500)
      return new LlmError('unavailable', true, `The model server failed (${status}); I will retry shortly.`, {
        cause: error,
        retryAfterMs: retryAfter,
      });
    if (isContextOverflow(text))
      return new LlmError(
        'context_overflow',
        false,
        'The conversation is too long for this model; use a model with a larger context (FF2_MODEL).',
        { cause: error },
      );
    return new LlmError(
      'bad_request',
      false,
      `The model server rejected the request (${status}: ${error.message.slice(0, 200)}).`,
      { cause: error },
    );
  }
  return new LlmError('unavailable', false, `The model call failed unexpectedly: ${describe(error)}.`, {
    cause: error,
  });
}

function isContextOverflow(text: string): boolean {
  return /context_length_exceeded|context length|maximum context|too many tokens|exceeds the context/.test(
    text,
  );
}

/** True when a 400/422 says the server does not support this `response_format`. */
export function isResponseFormatRejection(error: unknown): boolean {
  const cause = error instanceof LlmError ? error.cause : error;
  if (!(cause instanceof OpenAI.APIError) || (cause.status !== 400 && cause.status !== 422)) return false;
  const text = `${cause.param ?? ''} ${cause.code ?? ''} ${cause.message}`.toLowerCase();
  return /response_format|json_schema|json_object|structured output|schema/.test(text);
}

/** True when a 400 says this model does not accept a `temperature` other than its default. */
export function isTemperatureRejection(error: unknown): boolean {
  const cause = error instanceof LlmError ? error.cause : error;
  if (!(cause instanceof OpenAI.APIError) || cause.status !== 400) return false;
  return `${cause.param ?? ''} ${cause.message}`.toLowerCase().includes('temperature');
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
