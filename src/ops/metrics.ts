/**
 * Prometheus metrics for `GET /metrics` (prom-client). Counters move as work happens (steps, model
 * calls, sandbox runs, dedupe hits); gauges are read from the store and the work queues at scrape.
 * Wrap the edges with `meterLlm` / `meterSandbox`; hand the router `metrics` as its RouterMetrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RouterMetrics } from '../bots/router.js';
import type { CompletionRequest, LlmProvider } from '../llm/types.js';
import { isLlmError } from '../llm/types.js';
import type { Sandbox } from '../sandbox/types.js';
import type { SessionStore } from '../store/types.js';
import type { QueueStat } from './semaphore.js';

export interface MetricsSources {
  store: Pick<SessionStore, 'sessionCounts' | 'outboxStates'>;
  /** The bounded work queues (model calls, sandbox runs, analyser processes). */
  queues?: () => QueueStat[];
  /** Also export Node's process metrics (memory, event loop lag, handles). Default true. */
  processMetrics?: boolean;
}

const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class Metrics implements RouterMetrics {
  readonly registry = new Registry();
  readonly #steps: Counter<'stage'>;
  readonly #stageSeconds: Histogram<'stage'>;
  readonly #dedupe: Counter<'platform'>;
  readonly #modelCalls: Counter<'provider' | 'model' | 'outcome'>;
  readonly #modelTokens: Counter<'provider' | 'model' | 'kind'>;
  readonly #modelCost: Counter<'provider' | 'model'>;
  readonly #sandboxRuns: Counter<'status'>;
  readonly #sandboxSeconds: Histogram<'status'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    if (sources.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'ff2_' });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Histogram<L>({ name, help, labelNames, buckets: DURATION_BUCKETS, registers });
    this.#steps = counter('ff2_steps_total', 'Pipeline steps run, by stage (rate() gives steps per second)', [
      'stage',
    ]);
    this.#stageSeconds = histogram(
      'ff2_stage_step_duration_seconds',
      'Duration of one pipeline step, by stage',
      ['stage'],
    );
    this.#dedupe = counter(
      'ff2_inbound_duplicates_total',
      'Repeated platform deliveries dropped by the dedupe table',
      ['platform'],
    );
    this.#modelCalls = counter(
      'ff2_model_calls_total',
      'Model calls (replays of recorded answers excluded), by provider, model and outcome',
      ['provider', 'model', 'outcome'],
    );
    this.#modelTokens = counter(
      'ff2_model_tokens_total',
      'Model tokens, by provider, model and kind (prompt, completion)',
      ['provider', 'model', 'kind'],
    );
    this.#modelCost = counter(
      'ff2_model_cost_usd_total',
      'Estimated model cost in USD, by provider and model',
      ['provider', 'model'],
    );
    this.#sandboxRuns = counter('ff2_sandbox_runs_total', 'Sandbox runs, by result status', ['status']);
    this.#sandboxSeconds = histogram(
      'ff2_sandbox_run_duration_seconds',
      'Sandbox run duration, by result status',
      ['status'],
    );
    const { store, queues } = sources;
    new Gauge({
      name: 'ff2_sessions',
      help: 'Sessions by stage and status',
      labelNames: ['stage', 'status'],
      registers,
      collect() {
        this.reset();
        for (const row of store.sessionCounts?.() ?? [])
          this.set({ stage: row.stage, status: row.status }, row.count);
      },
    });
    new Gauge({
      name: 'ff2_outbox_messages',
      help: 'Outbox rows not delivered, by state (pending, sending, failed, retrying)',
      labelNames: ['state'],
      registers,
      collect() {
        const b = store.outboxStates?.();
        if (!b) return;
        for (const state of ['pending', 'sending', 'failed', 'retrying'] as const)
          this.set({ state }, b[state]);
      },
    });
    new Gauge({
      name: 'ff2_outbox_retries',
      help: 'Extra delivery attempts over the outbox rows still stored',
      registers,
      collect() {
        this.set(store.outboxStates?.().retries ?? 0);
      },
    });
    for (const [name, help, pick] of [
      ['ff2_work_active', 'Work in progress per bounded resource', (q: QueueStat) => q.active],
      ['ff2_work_queued', 'Requests waiting per bounded resource (queue depth)', (q: QueueStat) => q.queued],
      ['ff2_work_limit', 'Concurrency limit per bounded resource', (q: QueueStat) => q.limit],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: ['resource'],
        registers,
        collect() {
          for (const q of queues?.() ?? []) this.set({ resource: q.resource }, pick(q));
        },
      });
    }
  }

  duplicate(platform: string): void {
    this.#dedupe.inc({ platform });
  }

  step(stage: string, seconds: number): void {
    this.#steps.inc({ stage });
    this.#stageSeconds.observe({ stage }, seconds);
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Counts every model call the wrapped provider makes (tokens, cost, outcome). */
  meterLlm(provider: LlmProvider): LlmProvider {
    const meter = this;
    return {
      name: provider.name,
      model: provider.model,
      close: async () => provider.close?.(),
      async complete<T>(request: CompletionRequest<T>) {
        try {
          const result = await provider.complete(request);
          if (!result.replayed) {
            const labels = { provider: result.provider, model: result.model };
            meter.#modelCalls.inc({ ...labels, outcome: 'ok' });
            meter.#modelTokens.inc({ ...labels, kind: 'prompt' }, result.usage.promptTokens);
            meter.#modelTokens.inc({ ...labels, kind: 'completion' }, result.usage.completionTokens);
            meter.#modelCost.inc(labels, result.costUsd ?? 0);
          }
          return result;
        } catch (error) {
          const outcome = isLlmError(error) ? error.kind : 'error';
          meter.#modelCalls.inc({ provider: provider.name, model: provider.model, outcome });
          throw error;
        }
      },
    };
  }

  /** Counts every sandbox run (status, duration). */
  meterSandbox(sandbox: Sandbox): Sandbox {
    const meter = this;
    return {
      async run(request) {
        const result = await sandbox.run(request);
        meter.#sandboxRuns.inc({ status: result.status });
        meter.#sandboxSeconds.observe({ status: result.status }, result.durationMs / 1000);
        return result;
      },
      check: () => sandbox.check(),
      close: async () => sandbox.close?.(),
    };
  }
}
