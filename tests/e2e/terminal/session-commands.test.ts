import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import { runCliCaptured } from '../../fakes/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ff2-sessions-'));
const db = join(dir, 'ff2.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = { FF2_DB: db }) {
  return runCliCaptured(
    args,
    { FF2_DATA_DIR: dir, FF2_LLM: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', ...env },
    dir,
  );
}

beforeAll(() => {
  let t = 1_780_000_000_000;
  const store = openStore(db, { now: () => (t += 1000) });
  const s = store.createSession(
    {
      id: 'abc123',
      threadKey: 'terminal:local:abc123',
      platform: 'terminal',
      ownerId: 'terminal:alice',
      goal: 'dedupe a CSV file by email',
      stage: 'interview',
      status: 'working',
      state: {},
    },
    { events: [{ type: 'start', actor: 'terminal:alice', data: { goal: 'dedupe a CSV file by email' } }] },
  );
  const s2 = store.commit(s.id, s.version, {
    patch: { stage: 'feedback', status: 'waiting' },
    events: [{ type: 'answer', actor: 'terminal:alice', data: { text: 'keep the first row' } }],
    scriptVersion: { reason: 'generated', code: 'print(1)\nprint(2)\n', diff: '' },
    run: { version: 1, status: 'ok', exitCode: 0, durationMs: 42, result: { smoke: 'pass' } },
  });
  store.recordLlmCall({
    sessionId: s2.id,
    stage: 'outline',
    callKey: 'outline:1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    promptTokens: 100,
    completionTokens: 50,
    latencyMs: 10,
    costUsd: 0.001,
    outcome: 'ok',
    response: '{}',
  });
  store.createSession({
    id: 'slack1',
    threadKey: 'slack:C1:1.2',
    platform: 'slack',
    ownerId: 'slack:U1',
    goal: 'a tkinter timer',
    stage: 'shipped',
    status: 'done',
    state: {},
  });
  store.close();
});

describe('ff2 sessions / ff2 show', () => {
  it('lists sessions from every platform, newest first, as a table and as JSON', async () => {
    const text = await cli(['sessions']);
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PLATFORM\s+OWNER\s+STAGE\s+UPDATED\s+VERS\s+RUNS\s+COST\s+GOAL$/);
    expect(lines[1]).toMatch(/^slack1\s+slack\s+slack:U1\s+shipped \(done\)/);
    expect(lines[2]).toMatch(
      /^abc123\s+terminal\s+terminal:alice\s+feedback\s+\S+ \S+\s+1\s+1\s+\$0\.0010\s+dedupe a CSV/,
    );

    const json = await cli(['sessions', '--json']);
    const parsed = JSON.parse(json.out) as { sessions: Array<Record<string, unknown>> };
    expect(parsed.sessions.map((s) => s.id)).toEqual(['slack1', 'abc123']);
    expect(parsed.sessions[1]).toMatchObject({
      platform: 'terminal',
      owner: 'terminal:alice',
      stage: 'feedback',
      status: 'waiting',
      versions: 1,
      runs: 1,
      costUsd: 0.001,
      tokens: 150,
    });
  });

  it('filters by owner and says how to start when there is nothing', async () => {
    const mine = await cli(['sessions', '--json', '--owner', 'slack:U1']);
    expect(JSON.parse(mine.out).sessions).toHaveLength(1);
    const empty = await cli(['sessions'], { FF2_DB: join(dir, 'missing.db') });
    expect(empty.code).toBe(0);
    expect(empty.out).toMatch(/No sessions yet/);
  });

  it("shows one session's history, versions, runs and usage", async () => {
    const text = await cli(['show', 'abc123']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Session abc123 (terminal, owner terminal:alice)');
    expect(text.out).toMatch(/answer\s+terminal:alice: keep the first row/);
    expect(text.out).toContain('v1  generated  (3 lines)');
    expect(text.out).toMatch(/#\d+ {2}v1 {2}ok {2}exit 0 {2}42 ms/);
    expect(text.out).toMatch(/outline\s+1 call\(s\), 100 in \/ 50 out, \$0\.0010/);

    const json = JSON.parse((await cli(['show', 'abc123', '--json'])).out);
    expect(Object.keys(json)).toEqual(['session', 'state', 'events', 'versions', 'runs', 'reviews', 'usage']);
    expect(json.usage.byStage.outline.calls).toBe(1);
    expect(json.events.map((e: { type: string }) => e.type)).toEqual(['start', 'answer']);
  });

  it('exits 1 for an unknown session and 2 without an id', async () => {
    const missing = await cli(['show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no session "nope"/);
    expect((await cli(['show'])).code).toBe(2);
    expect((await cli(['sessions', '--limit', '0'])).code).toBe(2);
  });
});
