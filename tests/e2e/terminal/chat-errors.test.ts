import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ff2, tempHome } from './harness.js';

const home = tempHome('ff2-chat-errors-');
afterAll(() => home.cleanup());
// No model server is needed: every case here ends before the first model call.
const env = {
  FF2_DATA_DIR: home.dir,
  FF2_DB: home.db,
  FF2_LLM: 'openai',
  OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  OPENAI_API_KEY: 'unused',
};

describe('ff2 chat: usage and environment errors', { timeout: 120_000 }, () => {
  it('refuses an empty goal read from stdin with exit 2', async () => {
    const run = await ff2(['chat'], { env, stdin: '\n' }).done;
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('What should the script do?');
    expect(run.stderr).toMatch(/the goal is empty/);
  });

  it('refuses a goal over 4,000 characters with exit 2 and says the limit', async () => {
    const run = await ff2(['chat', 'x'.repeat(4001)], { env, stdin: '' }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/4,001 characters; the limit is 4,000/);
  });

  it('ends with exit 2 when stdin is closed before a goal is given', async () => {
    const run = await ff2(['chat'], { env, stdin: '' }).done;
    expect(run.code).toBe(2);
  });

  it('rejects unknown options and conflicting arguments with exit 2 and the usage', async () => {
    const bad = await ff2(['chat', '--frobnicate'], { env, stdin: '' }).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Usage: ff2 chat/);
    const both = await ff2(['chat', 'goal', '--resume', 'abc'], { env, stdin: '' }).done;
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either a goal or --resume/);
  });

  it('exits 3 with the install command when the sandbox cannot run', async () => {
    const run = await ff2(['chat', '--auto', 'print hello'], {
      env: { ...env, FF2_PYTHON: '/usr/bin/python3-not-installed' },
      stdin: '',
    }).done;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/the sandbox cannot run scripts here/);
    expect(run.stderr).toMatch(/Fix: apt-get install -y/);
    expect(existsSync(home.db)).toBe(false);
  });

  it('says so, with exit 2, when resuming a session that does not exist', async () => {
    const run = await ff2(['chat', '--resume', 'nope'], { env, stdin: '' }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no session "nope"/);
  });
});

describe('ff2 chat: no model', { timeout: 120_000 }, () => {
  it('exits 3 naming the server and the settings when the model server cannot be reached', async () => {
    const run = await ff2(['chat', '--auto', 'print hello'], { env, stdin: '' }).done;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /no model to talk to: cannot reach the model server at http:\/\/127\.0\.0\.1:9\/v1/,
    );
    expect(run.stderr).toMatch(/Fix: .*OPENAI_BASE_URL/);
  });

  it('exits 3 naming FF2_GGUF when the local model file is missing', async () => {
    const run = await ff2(['chat', '--auto', 'print hello'], {
      env: { ...env, FF2_LLM: 'llama', FF2_GGUF: `${home.dir}/missing.gguf` },
      stdin: '',
    }).done;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/no model to talk to: FF2_GGUF=.*missing\.gguf does not exist/);
    expect(run.stderr).not.toMatch(/downloading/);
  });
});
