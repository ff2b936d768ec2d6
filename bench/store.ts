import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/sqlite.js';

/**
 * commits_per_s: single-session steps (patch + one event + one outbox row) on a real file,
 * WAL + synchronous=FULL. resume_10k_ms: listing the working sessions among 10,000 (median of 5).
 */
export async function benchStore(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-store-'));
  try {
    const store = openStore(join(dir, 'bench.db'));
    const base = {
      platform: 'memory',
      ownerId: 'memory:U1',
      goal: 'bench',
      stage: 'generate',
      state: { n: 0 },
    };
    store.createSession({ ...base, id: 'hot', threadKey: 'memory:C:hot', status: 'working' });
    const commits = 3000;
    let version = 1;
    const started = performance.now();
    for (let i = 0; i < commits; i++) {
      store.commit('hot', version, {
        patch: { state: { n: i } },
        events: [{ type: 'step', data: { n: i } }],
        outbox: [{ threadKey: 'memory:C:hot', payload: { text: `step ${i}` } }],
      });
      version++;
    }
    const commitSeconds = (performance.now() - started) / 1000;

    for (let i = 0; i < 10_000; i++) {
      // One in ten sessions is mid-stage (working); the rest wait for a person or are finished.
      const status = i % 10 === 0 ? 'working' : i % 3 === 0 ? 'done' : 'waiting';
      store.createSession({ ...base, id: `s${i}`, threadKey: `memory:C:s${i}`, status });
    }
    const samples: number[] = [];
    let found = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      found = store.listResumable().length;
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    store.close();
    return {
      commits_per_s: Math.round(commits / commitSeconds),
      resume_10k_ms: Number(samples[2]!.toFixed(2)),
      resumable_found: found,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
