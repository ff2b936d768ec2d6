/**
 * `npm run bench -- slack --json`: 200 signed `/ff2 <goal>` commands sent at once to ff2's Slack
 * front door (the whole app: real Bolt over HTTP, SQLite file, sandbox, outbox) while 20 sessions
 * are generating the reference goal (scripted model answering after 250 ms), and the same 200
 * commands to a bare Bolt app that only acks, in alternating bursts of the same run. The bare app, the
 * Slack stand-in and the load generator each run in a worker thread, so ff2's event loop carries
 * only ff2. Latency = request sent → HTTP response, as Slack sees it.
 * `ack_ratio` = ff2 p50 ÷ bare p50; `ack_ratio_p99` the same for p99. `loop_delay_*` is ff2's
 * main-thread event-loop delay during the burst (SQLite commits, spawns, model replies): ff2 acks
 * from its HTTP worker thread (src/bots/slack/ack-worker.ts), so that delay no longer holds acks.
 * Also (bench/delivery.ts): `click_effect_p99_ms` for 40 concurrent sessions clicking Approve with
 * Slack's default spacing, and `restart_listen_ms` from `kill -9` of `ff2 serve` to listening again.
 */
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { clickFigures, restartFigures } from './delivery.js';
import { startFf2ForBench } from './slack-ff2.js';

const COMMANDS = 200;
const BACKGROUND_SESSIONS = Number(process.env.BENCH_SLACK_BACKGROUND ?? 20);
const MODEL_DELAY_MS = 250;
const ROUNDS = 2;

export async function benchSlack(): Promise<Record<string, number | string>> {
  // Acks first, on a fresh process: the delivery figures spawn and kill ff2 processes.
  const acks = await ackFigures();
  return { ...acks, ...(await clickFigures('slack')), ...(await restartFigures('slack')) };
}

async function ackFigures(): Promise<Record<string, number | string>> {
  const worker = await startWorker();
  const bare = await startBareBolt(worker.apiUrl);
  const ff2 = await startFf2ForBench({ apiUrl: worker.apiUrl, modelDelayMs: MODEL_DELAY_MS });
  try {
    // Warm both paths (JIT, keep-alive sockets); ff2 with "/ff2 help", which starts no session.
    await burst(worker, bare.url, COMMANDS, 'warmbare');
    await burst(worker, ff2.botUrl, COMMANDS, 'warmff2', 'help');
    // Background sessions: started, outline approved, then generating during the measurement.
    await burst(worker, ff2.botUrl, BACKGROUND_SESSIONS, 'background');
    await ff2.waitOutlines('background', BACKGROUND_SESSIONS);
    await ff2.approveOutlines('background');
    await new Promise((r) => setTimeout(r, 2 * MODEL_DELAY_MS));
    const generatingAtStart = ff2.generating('background');
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    // Alternating bursts (bare, ff2, bare, ff2), pooled per bot: same run, same background load.
    const bareMs: number[] = [];
    const ff2Ms: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bareMs.push(...(await burst(worker, bare.url, COMMANDS, `bare${round}`)));
      ff2Ms.push(...(await burst(worker, ff2.botUrl, COMMANDS, `ff2${round}`)));
    }
    loop.disable();
    const generatingAtEnd = ff2.generating('background');
    const p = (xs: number[], q: number) => round2(percentile(xs, q));
    return {
      commands: COMMANDS,
      rounds: ROUNDS,
      background_sessions: BACKGROUND_SESSIONS,
      background_generating_at_start: generatingAtStart,
      background_generating_at_end: generatingAtEnd,
      model_calls: ff2.modelCalls(),
      root_messages_posted: (await worker.call({ op: 'count', method: 'chat.postMessage' })) as number,
      ack_p50_ms: p(ff2Ms, 0.5),
      ack_p99_ms: p(ff2Ms, 0.99),
      ack_max_ms: p(ff2Ms, 1),
      bare_p50_ms: p(bareMs, 0.5),
      bare_p99_ms: p(bareMs, 0.99),
      ack_ratio: round2(percentile(ff2Ms, 0.5) / Math.max(percentile(bareMs, 0.5), 0.01)),
      loop_delay_p99_ms: round2(loop.percentile(99) / 1e6),
      loop_delay_max_ms: round2(loop.max / 1e6),
      ack_ratio_p99: round2(percentile(ff2Ms, 0.99) / Math.max(percentile(bareMs, 0.99), 0.01)),
    };
  } finally {
    await ff2.stop();
    await bare.stop();
    await worker.close();
  }
}

interface BenchWorker {
  apiUrl: string;
  call(request: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

async function startWorker(): Promise<BenchWorker> {
  const worker = tsWorker('./slack-worker.ts');
  const ready = await new Promise<{ apiUrl: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let queue = Promise.resolve<unknown>(undefined);
  const call = (request: Record<string, unknown>) => {
    const next = queue.then(
      () =>
        new Promise<unknown>((resolve, reject) => {
          worker.once('message', (message: unknown) => {
            if (message && typeof message === 'object' && 'error' in message)
              reject(new Error(String(message.error)));
            else resolve(message);
          });
          worker.postMessage(request);
        }),
    );
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    apiUrl: ready.apiUrl,
    call,
    close: async () => {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

async function burst(
  worker: BenchWorker,
  url: string,
  n: number,
  tag: string,
  text?: string,
): Promise<number[]> {
  const results = (await worker.call({ op: 'send', url, tag, count: n, ...(text ? { text } : {}) })) as {
    ms: number;
    status: number;
  }[];
  const bad = results.filter((r) => r.status !== 200).length;
  if (bad > 0) throw new Error(`${bad} of ${n} ${tag} commands were not acked with 200`);
  return results.map((r) => r.ms);
}

/** The bare Bolt baseline, in its own worker thread (its own event loop). */
async function startBareBolt(apiUrl: string) {
  const worker = tsWorker('./slack-bare.ts', { apiUrl });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url,
    stop: async () => {
      const closed = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

/** A worker running a TypeScript file of this folder (it registers tsx's loader itself). */
function tsWorker(file: string, workerData?: unknown): Worker {
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL(file, import.meta.url).href;
  const source = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(source, { eval: true, workerData });
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
