import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunQueue } from '../../../src/runners/queue.js';
import { RunnerLoop } from '../../../src/runners/runner-loop.js';
import { encodeRequest } from '../../../src/runners/wire.js';
import type { RunRequest, RunResult, Sandbox } from '../../../src/sandbox/types.js';
import { openPgStore } from '../../../src/store/pg/store.js';
import { eventually } from '../../fakes/serve-process.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * The runner's work loop on a real PostgreSQL queue, with a sandbox that echoes the script after
 * a short wait (the bubblewrap sandbox itself is tested elsewhere).
 */
const missing = postgresMissing();
let pg: TestPostgres;
beforeAll(() => {
  if (!missing) pg = startPostgres();
});
afterAll(() => pg?.stop());

/** Runs take 50 ms and print their script; `ran` lists them in order. */
class EchoSandbox implements Sandbox {
  readonly ran: string[] = [];
  async run(request: RunRequest): Promise<RunResult> {
    await new Promise((r) => setTimeout(r, 50));
    this.ran.push(request.script);
    return {
      status: 'ok',
      exitCode: 0,
      signal: null,
      durationMs: 50,
      stdout: request.script,
      stderr: '',
      truncated: false,
      traceback: null,
      outputFiles: [],
      screenshot: null,
    };
  }
  async check() {
    return { ok: true, detail: 'echo' };
  }
}

describe.skipIf(missing)('ff2 runner work loop', () => {
  it('takes the next queued job as soon as a run ends, without waiting for its next poll', async () => {
    const store = openPgStore(pg.createDatabase());
    try {
      const queue = new RunQueue(store);
      const ids = ['a', 'b', 'c'].map((script) => queue.enqueue('env', encodeRequest({ script })));
      const sandbox = new EchoSandbox();
      // One slot, and a poll far longer than the test: only a run's end can start the next one.
      const loop = new RunnerLoop({ queue, sandbox, id: 'runner-1', env: 'env', slots: 1, pollMs: 600_000 });
      loop.start();
      try {
        await eventually(
          'every job done',
          () => (ids.every((id) => queue.status(id)?.status === 'done') ? true : undefined),
          10_000,
        );
      } finally {
        await loop.stop();
      }
      expect(sandbox.ran).toEqual(['a', 'b', 'c']);
      expect(ids.map((id) => queue.status(id)?.runner)).toEqual(['runner-1', 'runner-1', 'runner-1']);
    } finally {
      store.close();
    }
  });
});
