import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults relative to the working directory', () => {
    const config = loadConfig({}, '/srv/ff2');
    expect(config.dataDir).toBe('/srv/ff2/data');
    expect(config.dbPath).toBe('/srv/ff2/data/ff2.db');
    expect(config.logLevel).toBe('warn');
    expect(config.sandbox.python).toBe('/usr/bin/python3');
    expect(config.llm.provider).toBe('llama');
    expect(config.pipeline.maxRepairs).toBe(3);
    expect(config.slack).toBeUndefined();
    expect(Object.isFrozen(config.sandbox)).toBe(true);
  });

  it('derives FF2_DB from FF2_DATA_DIR and lets FF2_DB override it', () => {
    expect(loadConfig({ FF2_DATA_DIR: '/tmp/x' }, '/').dbPath).toBe('/tmp/x/ff2.db');
    expect(loadConfig({ FF2_DB: 'db/a.db' }, '/w').dbPath).toBe('/w/db/a.db');
  });

  it('chooses openai when a key or base URL is set', () => {
    expect(loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }, '/').llm.provider).toBe('openai');
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x', FF2_LLM: 'llama' }, '/').llm.provider).toBe('llama');
  });

  it('names the variable and the fix for an invalid value', () => {
    const e = errorOf(() => loadConfig({ FF2_SANDBOX_TIMEOUT_S: 'ten' }, '/'));
    expect(e.variable).toBe('FF2_SANDBOX_TIMEOUT_S');
    expect(e.message).toMatch(/FF2_SANDBOX_TIMEOUT_S is invalid: must be a whole number \(got "ten"\)/);
    expect(errorOf(() => loadConfig({ OPENAI_BASE_URL: 'not a url' }, '/')).message).toMatch(
      /OPENAI_BASE_URL.*e\.g\./,
    );
    expect(errorOf(() => loadConfig({ FF2_PRICES: '{bad' }, '/')).variable).toBe('FF2_PRICES');
  });

  it('requires a signing secret for Slack HTTP mode and both Discord ids', () => {
    expect(errorOf(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }, '/')).variable).toBe(
      'SLACK_SIGNING_SECRET',
    );
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, '/').slack?.appToken).toBe(
      'xapp-1',
    );
    expect(errorOf(() => loadConfig({ DISCORD_TOKEN: 't' }, '/')).variable).toBe('DISCORD_APP_ID');
  });

  it('reads ff2.config.json with the environment taking precedence', () => {
    dir = mkdtempSync(join(tmpdir(), 'ff2-cfg-'));
    writeFileSync(
      join(dir, 'ff2.config.json'),
      JSON.stringify({ FF2_MODEL: 'from-file', FF2_MAX_REPAIRS: 5 }),
    );
    const config = loadConfig({ FF2_MODEL: 'from-env' }, dir);
    expect(config.llm.openai.model).toBe('from-env');
    expect(config.pipeline.maxRepairs).toBe(5);
    writeFileSync(join(dir, 'ff2.config.json'), '{nope');
    expect(errorOf(() => loadConfig({}, dir)).variable).toBe('ff2.config.json');
  });

  it('reads access lists, quotas and limits, and refuses ids without a platform', () => {
    const config = loadConfig(
      {
        FF2_ALLOWED_USERS: 'slack:U1,discord:*',
        FF2_ALLOWED_TEAMS: 'slack:T1',
        FF2_LLM: 'openai',
        OPENAI_API_KEY: 'k',
      },
      '/',
    );
    expect(config.access).toEqual({
      users: ['slack:U1', 'discord:*'],
      channels: [],
      teams: ['slack:T1'],
      guilds: [],
    });
    expect(config.quotas).toEqual({ activePerUser: 3, perUserPerDay: 30 });
    expect(config.llm.budget).toEqual({ usd: 0.5, tokens: undefined });
    expect(config.work.modelCalls).toBe(8);
    expect(config.pipeline.reviewPolicy).toBe('others');
    expect(loadConfig({ FF2_LLM: 'llama' }, '/').llm.budget.tokens).toBe(400_000);
    expect(errorOf(() => loadConfig({ FF2_ALLOWED_USERS: 'U1' }, '/')).variable).toBe('FF2_ALLOWED_USERS');
    expect(errorOf(() => loadConfig({ FF2_ALLOWED_GUILDS: 'slack:T1' }, '/')).variable).toBe(
      'FF2_ALLOWED_GUILDS',
    );
    expect(errorOf(() => loadConfig({ FF2_REVIEW_POLICY: 'nobody' }, '/')).message).toContain('any');
  });

  it('parses approvers as qualified ids', () => {
    expect(loadConfig({ FF2_APPROVERS: 'slack:U1, discord:42,' }, '/').pipeline.approvers).toEqual([
      'slack:U1',
      'discord:42',
    ]);
  });

  it('has every variable documented in .env.example', () => {
    const example = readFileSync(join(import.meta.dirname, '../../.env.example'), 'utf8');
    for (const variable of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^#? ?${variable}=`, 'm'));
  });
});
