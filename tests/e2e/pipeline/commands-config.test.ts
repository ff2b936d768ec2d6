/**
 * Item 9 of issue 12: commands check only the settings they use; a bad setting names the variable
 * and exits 2 (usage/config), never 3 "sandbox unavailable".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../fakes/cli.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('commands and the settings they use', () => {
  it('sandbox run, analyze, sessions, templates, python list and prune ignore a half-configured Discord', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ff2-cfg-'));
    writeFileSync(join(dir, 'hello.py'), 'print("hello")\n');
    const env = { FF2_DATA_DIR: dir, DISCORD_TOKEN: 'token-without-app-id' };
    const run = await runCliCaptured(['sandbox', 'run', 'hello.py'], env, dir);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('hello');
    const analysed = await runCliCaptured(['analyze', 'hello.py'], env, dir);
    expect(analysed.code).toBe(0);
    // Neither do the commands that work on the database, templates or the script environment.
    for (const args of [['sessions'], ['templates'], ['python', 'list'], ['prune', '--dry-run']]) {
      const other = await runCliCaptured(args, env, dir);
      expect(other.err, args.join(' ')).not.toContain('DISCORD');
      expect(other.code, args.join(' ')).toBe(0);
    }
    // The commands that serve Discord still refuse it, naming the variable, exit 2.
    const serve = await runCliCaptured(['discord', 'register'], env, dir);
    expect(serve.code).toBe(2);
    expect(serve.err).toContain('DISCORD_APP_ID');
  });

  it('a bad setting a command uses names the variable and exits 2', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ff2-cfg-'));
    writeFileSync(join(dir, 'hello.py'), 'print("hello")\n');
    const run = await runCliCaptured(
      ['sandbox', 'run', 'hello.py'],
      { FF2_DATA_DIR: dir, FF2_SANDBOX_TIMEOUT_S: 'soon' },
      dir,
    );
    expect(run.code).toBe(2);
    expect(run.err).toContain('FF2_SANDBOX_TIMEOUT_S');
    expect(run.err).not.toContain('unavailable');
  });
});
