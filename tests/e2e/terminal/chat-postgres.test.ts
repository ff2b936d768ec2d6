import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore } from '../../../src/store/pg/store.js';
import { type OpenAiServer, startOpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript, respondFromScript } from '../../fakes/scripted-llm.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { ff2, tempHome } from './harness.js';

/**
 * The whole journey on PostgreSQL (FF2_DATABASE_URL): `ff2 chat --auto` as a child process with
 * the scripted model, the real sandbox and a private PostgreSQL cluster; the session, its script
 * versions and runs land in PostgreSQL and no SQLite file is made.
 */
const UID_BASE = 68700;
const missing = postgresMissing();
let pg: TestPostgres;
let server: OpenAiServer | undefined;
let home: ReturnType<typeof tempHome> | undefined;
beforeAll(() => {
  if (!missing) pg = startPostgres();
});
afterEach(async () => {
  await server?.close();
  home?.cleanup();
});
afterAll(() => pg?.stop());

describe.skipIf(missing || process.getuid?.() !== 0)('ff2 chat on PostgreSQL', { timeout: 120_000 }, () => {
  it('runs the whole journey with --auto and ships, storing everything in PostgreSQL', async () => {
    server = await startOpenAiServer({ respond: respondFromScript(referenceGoalScript()) });
    home = tempHome('ff2-chat-pg-');
    const url = pg.createDatabase();
    const env = {
      FF2_DATA_DIR: home.dir,
      FF2_DATABASE_URL: url,
      FF2_SANDBOX_UID_BASE: String(UID_BASE),
      FF2_LLM: 'openai',
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: 'test-key',
    };
    const run = await ff2(['chat', '--auto', REFERENCE_GOAL], { env, stdin: '' }).done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const store = openPgStore(url);
    try {
      const [session] = store.listSessions();
      expect(session).toMatchObject({ platform: 'terminal', stage: 'shipped', status: 'done' });
      expect(store.listRuns(session!.id).map((r) => r.status)).toEqual(['ok']);
      expect(store.listScriptVersions(session!.id).length).toBeGreaterThan(0);
      expect(store.usageTotals(session!.id).calls).toBeGreaterThan(0);
      expect(store.pendingOutbox()).toBe(0);
    } finally {
      store.close();
    }
    expect(existsSync(join(home.dir, 'ff2.db'))).toBe(false);
  });
});
