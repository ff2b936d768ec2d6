import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';

/**
 * The Slack front door when SLACK_BOT_TOKEN is set, else undefined. Socket Mode when SLACK_APP_TOKEN
 * is set, otherwise HTTP on FF2_HTTP_PORT with SLACK_SIGNING_SECRET (verified and acked in a worker
 * thread, so acks never wait for the main thread). The WebClient neither retries
 * nor waits out 429s itself (its queue pause would stall every channel): the outbox does, per channel.
 */
export async function createSlackFrontDoor(
  config: Readonly<Config>,
  logger: Logger,
  overrides: {
    host?: string;
    perChannelIntervalMs?: number;
    /** Serves GET /healthz and /metrics on FF2_HTTP_PORT in HTTP mode. */
    ops?: (path: string) => Promise<import('../../ops/health.js').OpsResponse | undefined>;
  } = {},
): Promise<import('./adapter.js').SlackAdapter | undefined> {
  const slack = config.slack;
  if (!slack) return undefined;
  const { App, LogLevel, SocketModeReceiver } = await import('@slack/bolt');
  const { createSlackAdapter } = await import('./adapter.js');
  const clientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl.replace(/\/*$/, '/') } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 30_000,
  };
  // Bolt's own logger never goes below warn: at debug it would print request bodies and tokens.
  const logLevel = config.logLevel === 'debug' || config.logLevel === 'info' ? LogLevel.WARN : LogLevel.ERROR;
  const limits = config.delivery.slack;
  const base = {
    botToken: slack.botToken,
    logger,
    perChannelIntervalMs: overrides.perChannelIntervalMs ?? limits.channelIntervalMs,
    perChannelBurst: limits.channelBurst,
    maxInFlight: limits.maxInFlight,
    ...(limits.editsPerMinute !== undefined ? { editsPerMinute: limits.editsPerMinute } : {}),
  };
  if (slack.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logLevel,
      installerOptions: { clientOptions },
    });
    const app = new App({ token: slack.botToken, receiver, clientOptions, logLevel });
    return createSlackAdapter({ ...base, app, transport: { kind: 'socket', receiver } });
  }
  const { WorkerReceiver } = await import('./receiver.js');
  const receiver = new WorkerReceiver({
    signingSecret: slack.signingSecret ?? '',
    port: config.httpPort,
    ...(overrides.host ? { host: overrides.host } : {}),
    ...(overrides.ops ? { ops: overrides.ops } : {}),
    logger: logger.child('slack'),
  });
  const app = new App({ token: slack.botToken, receiver, clientOptions, logLevel });
  return createSlackAdapter({ ...base, app, transport: { kind: 'http', receiver } });
}

/** A bare Slack Web API client for one-off calls (`ff2 doctor`); undefined when Slack is not configured. */
export async function createSlackWebClient(
  config: Readonly<Config>,
  token?: string,
): Promise<import('@slack/bolt').webApi.WebClient | undefined> {
  if (!config.slack) return undefined;
  // Bolt's own copy of @slack/web-api (not a direct dependency of ff2).
  const { webApi } = await import('@slack/bolt');
  return new webApi.WebClient(token ?? config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl.replace(/\/*$/, '/') } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}
