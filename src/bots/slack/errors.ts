import { AdapterError } from '../../errors.js';

/**
 * Maps whatever the Slack WebClient threw to an AdapterError, once: 429 → retryable after
 * Retry-After; HTTP 5xx and network failures → retryable; Slack platform errors (`ok: false`, e.g.
 * `channel_not_found`) and other HTTP statuses → not retryable. Matches on the SDK's `code`
 * strings rather than classes, so a second copy of @slack/web-api cannot break the mapping.
 */
export function toAdapterError(error: unknown, what: string): AdapterError {
  if (error instanceof AdapterError) return error;
  const e = (error ?? {}) as {
    code?: unknown;
    retryAfter?: unknown;
    statusCode?: unknown;
    data?: { error?: unknown };
  };
  const message = error instanceof Error ? error.message : String(error);
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': {
      const seconds = typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : 1;
      return new AdapterError('slack', `${what}: rate limited for ${seconds} s`, seconds * 1000, true, {
        cause: error,
      });
    }
    case 'slack_webapi_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      return new AdapterError('slack', `${what}: HTTP ${status}`, undefined, status >= 500, { cause: error });
    }
    case 'slack_webapi_platform_error': {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      // Slack reports some server trouble as platform errors; those are worth another try.
      const retryable = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'].includes(
        code,
      );
      return new AdapterError('slack', `${what}: ${code}`, undefined, retryable, { cause: error });
    }
    case 'slack_webapi_request_error':
      return new AdapterError('slack', `${what}: ${message}`, undefined, true, { cause: error });
    default:
      return new AdapterError('slack', `${what}: ${message}`, undefined, false, { cause: error });
  }
}
