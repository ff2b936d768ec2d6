import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { SandboxError } from '../../../src/errors.js';
import { createSandbox } from '../../../src/sandbox/create.js';
import { createStore } from '../../../src/store/open.js';

const dir = mkdtempSync(join(tmpdir(), 'ff2-private-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe("the bot's own files", () => {
  it('are private: data dir 0700, database and its WAL 0600', () => {
    const config = loadConfig({ FF2_DATA_DIR: join(dir, 'data') }, dir);
    const store = createStore(config);
    try {
      expect(mode(config.dataDir)).toBe(0o700);
      expect(mode(config.dbPath)).toBe(0o600);
      for (const file of [`${config.dbPath}-wal`, `${config.dbPath}-shm`])
        if (existsSync(file)) expect(mode(file)).toBe(0o600);
    } finally {
      store.close();
    }
  });

  it('never lie where a sandboxed script can read them: ff2 refuses to start', () => {
    for (const env of [
      { FF2_DATA_DIR: '/usr/share/ff2-test-data' },
      { FF2_DATA_DIR: join(dir, 'ok'), FF2_DB: '/usr/lib/ff2-test.db' },
      { FF2_DATA_DIR: '/etc/fonts/ff2-test' },
    ]) {
      const config = loadConfig(env, dir);
      expect(() => createStore(config)).toThrow(SandboxError);
      expect(() => createSandbox(config)).toThrow(/every sandboxed script can read/);
    }
    expect(existsSync('/usr/share/ff2-test-data')).toBe(false);
    // /usr/local is hidden inside the sandbox (an empty tmpfs): allowed.
    expect(() => createSandbox(loadConfig({ FF2_DATA_DIR: '/usr/local/ff2-test-data' }, dir))).not.toThrow();
    expect(existsSync('/usr/lib/ff2-test.db')).toBe(false);
  });

  it('refuses a config file (it may hold tokens) that lies under a sandbox-visible path', () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(cwd, 'ff2.config.json'), '{}');
    expect(() => loadConfig({ FF2_DATA_DIR: join(dir, 'd') }, cwd)).not.toThrow();
    // Linked to a file under /usr: what the link reaches is what counts.
    rmSync(join(cwd, 'ff2.config.json'));
    symlinkSync('/usr/share/common-licenses/GPL-3', join(cwd, 'ff2.config.json'));
    expect(() => loadConfig({ FF2_DATA_DIR: join(dir, 'd') }, cwd)).toThrow(
      /config file .* every sandboxed script can read/,
    );
  });
});
