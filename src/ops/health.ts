/**
 * Liveness for `GET /healthz`: the event loop turns (its worst delay since the last check), the
 * database accepts a write (a rolled-back write transaction), and this process holds the serving
 * lease. Also answers `GET /metrics`; both are served on FF2_METRICS_PORT and, in Slack HTTP mode,
 * on FF2_HTTP_PORT (the ack worker forwards them; a main thread that cannot answer within 2 s is
 * reported unhealthy there).
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { SessionStore } from '../store/types.js';
import type { Metrics } from './metrics.js';

export interface HealthReport {
  ok: boolean;
  eventLoop: { ok: boolean; maxDelayMs: number };
  database: { ok: boolean; error?: string };
  lease: { ok: boolean };
}

export interface OpsResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Event-loop delay above this (ms) since the last check reports unhealthy. */
const MAX_LOOP_DELAY_MS = 2000;

export class Health {
  readonly #delay: IntervalHistogram;

  constructor(
    private readonly sources: {
      store: Pick<SessionStore, 'probeWrite'>;
      /** True while this process holds the serving lease. */
      leaseHeld: () => boolean;
    },
  ) {
    this.#delay = monitorEventLoopDelay({ resolution: 20 });
    this.#delay.enable();
  }

  check(): HealthReport {
    const maxDelayMs = Math.round(this.#delay.max / 1e6);
    this.#delay.reset();
    let database: HealthReport['database'] = { ok: true };
    try {
      this.sources.store.probeWrite?.();
    } catch (error) {
      database = { ok: false, error: (error as Error).message.slice(0, 200) };
    }
    const eventLoop = { ok: maxDelayMs < MAX_LOOP_DELAY_MS, maxDelayMs };
    const lease = { ok: this.sources.leaseHeld() };
    return { ok: eventLoop.ok && database.ok && lease.ok, eventLoop, database, lease };
  }

  close(): void {
    this.#delay.disable();
  }
}

/** Answers one ops request (`/healthz`, `/metrics`); undefined for any other path. */
export async function answerOps(
  path: string,
  ops: { health: Health; metrics: Metrics },
): Promise<OpsResponse | undefined> {
  if (path === '/healthz') {
    const report = ops.health.check();
    return { status: report.ok ? 200 : 503, contentType: 'application/json', body: JSON.stringify(report) };
  }
  if (path === '/metrics') {
    const { contentType, body } = await ops.metrics.text();
    return { status: 200, contentType, body };
  }
  return undefined;
}
