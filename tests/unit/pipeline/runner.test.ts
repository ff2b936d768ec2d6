import { afterEach, describe, expect, it } from 'vitest';
import type { LlmProvider } from '../../../src/llm/types.js';
import { silentLogger } from '../../../src/logger.js';
import type { Stage } from '../../../src/pipeline/context.js';
import { PipelineRunner } from '../../../src/pipeline/runner.js';
import { STAGES } from '../../../src/pipeline/stages/index.js';
import type { PythonToolchain } from '../../../src/python/types.js';
import type { Sandbox } from '../../../src/sandbox/types.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';

let store: SqliteSessionStore;
afterEach(() => store?.close());

function runnerWith(interview: Stage, clock: { now: number }, progressIntervalMs?: number) {
  store = openStore(':memory:', { now: () => clock.now });
  return new PipelineRunner({
    store,
    logger: silentLogger,
    now: () => clock.now,
    llm: {} as LlmProvider,
    sandbox: {} as Sandbox,
    python: {} as PythonToolchain,
    maxRepairs: 3,
    stages: { ...STAGES, interview },
    ...(progressIntervalMs !== undefined ? { progressIntervalMs } : {}),
  });
}

/** Every queued row, in delivery order (the store hands out one row per thread at a time). */
function drain() {
  const rows = [];
  for (
    let batch = store.claimOutbox(Date.now() * 2, 10);
    batch.length > 0;
    batch = store.claimOutbox(Date.now() * 2, 10)
  ) {
    for (const row of batch) {
      rows.push(row);
      store.markSent(row.id, { platform: 'terminal', channelId: 'C1', messageId: String(row.id) });
    }
  }
  return rows;
}

describe('status message edits', () => {
  it('edits a status message at most once every 2 seconds by default', async () => {
    const clock = { now: 1_000 };
    // Taken out of the outbox as they come: an unsent edit would be replaced by the next one.
    const delivered: ReturnType<typeof drain> = [];
    const runner = runnerWith(
      {
        async run(ctx) {
          for (const step of [0, 600, 1_900, 2_000, 3_999, 4_000]) {
            clock.now = 1_000 + step;
            ctx.progress(`at ${step}`);
            delivered.push(...drain());
          }
          return { result: 'stay', state: ctx.state };
        },
      },
      clock,
    );
    runner.create({
      id: 's1',
      threadKey: 'terminal:C1:t1',
      platform: 'terminal',
      ownerId: 'terminal:o',
      goal: 'g',
    });
    await runner.step('s1', new AbortController().signal);
    const edits = [...delivered, ...drain()].filter((r) => JSON.stringify(r.payload).includes('⏳'));
    expect(edits.map((r) => (r.payload as { text: string }).text.match(/at \d+/)?.[0])).toEqual([
      'at 0',
      'at 2000',
      'at 4000',
    ]);
  });
});

describe('errors in threads', () => {
  it('posts a short message with a reference id, never the error detail, and offers Retry', async () => {
    const clock = { now: 1_000 };
    const runner = runnerWith(
      {
        async run() {
          throw new Error('SQLITE_CORRUPT: database disk image is malformed at /srv/ff2/data/ff2.db');
        },
      },
      clock,
    );
    runner.create({
      id: 's2',
      threadKey: 'terminal:C1:t2',
      platform: 'terminal',
      ownerId: 'terminal:o',
      goal: 'g',
    });
    await runner.step('s2', new AbortController().signal);
    const texts = drain().map((r) => JSON.stringify(r.payload));
    const stopped = texts.find((t) => t.includes('I stopped while'))!;
    expect(stopped).toMatch(/an internal error \(ref [0-9a-f]{8}\)/);
    expect(texts.join('\n')).not.toMatch(/SQLITE|\/srv\/ff2/);
    expect(stopped).toContain('"action":"retry"');
    expect(store.getSession('s2')!.stage).toBe('retry_paused');
  });
});
