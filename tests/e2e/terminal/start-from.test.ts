import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/sqlite.js';
import { type OpenAiServer, startOpenAiServer } from '../../fakes/openai-server.js';
import { respondFromScript, type ScriptResponder } from '../../fakes/scripted-llm.js';
import { CRLF_TABS, ownScriptModel, templateModel } from '../../fakes/start-from-models.js';
import { ff2, tempHome } from './harness.js';

let server: OpenAiServer | undefined;
let home: ReturnType<typeof tempHome> | undefined;
afterEach(async () => {
  await server?.close();
  home?.cleanup();
  server = undefined;
  home = undefined;
});

async function setup(responder: ScriptResponder) {
  server = await startOpenAiServer({ respond: respondFromScript(responder) });
  home = tempHome('ff2-from-');
  return {
    FF2_DATA_DIR: home.dir,
    FF2_DB: home.db,
    FF2_LLM: 'openai',
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'test-key',
  };
}

function stored(db: string) {
  const store = openStore(db);
  try {
    const [session] = store.listSessions();
    if (!session) throw new Error('no session');
    return { session, versions: store.listScriptVersions(session.id), runs: store.listRuns(session.id) };
  } finally {
    store.close();
  }
}

describe('ff2 chat --from and ff2 templates', { timeout: 120_000 }, () => {
  it('lists the templates as JSON', async () => {
    const run = await ff2(['templates', '--json'], { env: { FF2_DATA_DIR: '/tmp' } }).done;
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as {
      name: string;
      runMode: string;
      tags: string[];
      description: string;
    }[];
    expect(list.map((t) => t.name)).toEqual(expect.arrayContaining(['chart', 'cli-files', 'tk-form']));
    expect(Object.keys(list[0]!).sort()).toEqual(['description', 'name', 'runMode', 'tags']);
  });

  it('starts from a template and ships after a passing run', async () => {
    const env = await setup(templateModel);
    const run = await ff2(['chat', '--auto', '--from', 'csv-transform', 'filter a CSV and sort it'], {
      env,
      stdin: '',
    }).done;
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    expect(run.stdout).toContain('Starting from the template csv-transform');
    const { session, runs } = stored(home!.db);
    expect(session.stage).toBe('shipped');
    expect(runs.at(-1)?.status).toBe('ok');
  });

  it('starts from the person’s script, version 1 byte for byte, and ships after a passing run', async () => {
    const env = await setup(ownScriptModel);
    const path = join(home!.dir, 'greet.py');
    writeFileSync(path, CRLF_TABS);
    const run = await ff2(['chat', '--auto', '--from', path, 'add a --shout flag'], { env, stdin: '' }).done;
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    const { session, versions, runs } = stored(home!.db);
    expect(session.stage).toBe('shipped');
    expect(versions[0]!.code).toBe(CRLF_TABS);
    expect(runs.at(-1)?.status).toBe('ok');
  });

  it('refuses an unknown template before starting anything', async () => {
    const env = await setup(templateModel);
    const run = await ff2(['chat', '--from', 'nope', 'goal'], { env, stdin: '' }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no template "nope"');
  });
});
