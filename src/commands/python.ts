import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { ConfigError, UsageError } from '../errors.js';
import { prepareCaches } from '../python/caches.js';
import { createEnvironment } from '../python/create.js';
import { describeEnvironment, scriptPython } from '../python/environment.js';
import { checkRequirements, ensureVenv, pipInstall } from '../python/venv.js';
import { scriptCacheDir } from '../sandbox/create.js';
import { parseCommandArgs } from './args.js';
import type { CliIo, Command } from './types.js';

const USAGE = `Usage: ff2 python list [--json]
       ff2 python add <package>... [--find-links <dir>]
       ff2 python prepare

The script environment: what generated scripts can import inside the sandbox. Sessions never
install anything; an operator changes it here, on the host.

  list                  the interpreter scripts run with and every importable third-party
                        package with its version (--json: the same as one JSON object)
  add <package>...      pip-installs into the operator venv FF2_PYTHON_VENV (created with
                        --system-site-packages when missing), from the configured index
    --find-links <dir>  install only from the wheels in <dir> (offline hosts; no index)
  prepare               builds first-import caches (matplotlib's font list) so runs don't

Exit code 0 on success, 2 usage, 3 when FF2_PYTHON_VENV is unset (add) or pip fails.`;

export const pythonCommand: Command = {
  name: 'python',
  summary: 'list or extend the packages scripts can import (ff2 python list | add <pkg>)',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'list':
        return list(rest, io);
      case 'add':
        return add(rest, io);
      case 'prepare':
        return prepare(io);
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'name a subcommand: list, add or prepare');
    }
  },
};

async function list(args: string[], io: CliIo): Promise<number> {
  const values = parse(args);
  const config = loadConfig(io.env, io.cwd, { platforms: false });
  const info = await createEnvironment(config).describe();
  if (values.json) io.out(`${JSON.stringify(info)}\n`);
  else io.out(describeEnvironment(info, config.sandbox.venv));
  return 0;
}

async function add(args: string[], io: CliIo): Promise<number> {
  const { findLinks: links, positionals } = parse(args);
  const config = loadConfig(io.env, io.cwd, { platforms: false });
  const venv = config.sandbox.venv;
  if (!venv) {
    throw new ConfigError(
      'FF2_PYTHON_VENV',
      'FF2_PYTHON_VENV is not set: ff2 installs packages only into an operator venv; set FF2_PYTHON_VENV=/opt/ff2/venv (any folder every user can read) and run this again',
    );
  }
  const findLinks = links ? resolve(io.cwd, links) : undefined;
  if (findLinks && !existsSync(findLinks))
    throw new UsageError(`--find-links folder ${findLinks} does not exist`);
  checkRequirements(positionals);
  const pipIo = { log: (text: string) => io.err(text), env: io.env };
  await ensureVenv(venv, config.sandbox.python, pipIo);
  const before = new Set((await createEnvironment(config).describe()).packages.map((p) => p.name));
  await pipInstall(venv, positionals, findLinks, pipIo);
  const after = await createEnvironment(config).describe();
  const added = after.packages.filter((p) => !before.has(p.name));
  await prepareCaches(scriptPython(config.sandbox.python, venv), scriptCacheDir(config)).catch(() => null);
  io.out(
    added.length > 0
      ? `installed into ${venv}; scripts can now import: ${added.map(label).join(', ')}\n`
      : `installed into ${venv}; no new importable package (already there, or only updated)\n`,
  );
  return 0;
}

async function prepare(io: CliIo): Promise<number> {
  const config = loadConfig(io.env, io.cwd, { platforms: false });
  const python = scriptPython(config.sandbox.python, config.sandbox.venv);
  const prepared = await prepareCaches(python, scriptCacheDir(config));
  io.out(`${prepared.detail}\n`);
  return 0;
}

function label(p: { name: string; version: string | null }): string {
  return p.version ? `${p.name} ${p.version}` : p.name;
}

function parse(args: string[]): { json: boolean; findLinks: string | undefined; positionals: string[] } {
  const { values, positionals } = parseCommandArgs({
    args,
    options: { json: { type: 'boolean' }, 'find-links': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  return { json: values.json === true, findLinks: values['find-links'], positionals };
}
