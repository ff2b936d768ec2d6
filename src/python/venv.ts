import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { SandboxError, UsageError } from '../errors.js';

/**
 * The operator's virtual environment for scripts (FF2_PYTHON_VENV): created with the system
 * interpreter and `--system-site-packages` (so the Debian packages stay importable), changed only
 * by `ff2 python add` on the host. Sessions never install anything.
 */

/** A pip requirement as a person types it: a name, optional extras and version specifiers. */
const REQUIREMENT =
  /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?([<>=!~]=?[A-Za-z0-9.*+!-]+(,[<>=!~]=?[A-Za-z0-9.*+!-]+)*)?$/;

/** @throws UsageError for anything that is not a plain requirement (no options, paths or URLs). */
export function checkRequirements(packages: readonly string[]): void {
  if (packages.length === 0) throw new UsageError('name at least one package, e.g. ff2 python add polars');
  for (const p of packages) {
    if (!REQUIREMENT.test(p))
      throw new UsageError(`"${p}" is not a package requirement (use a name like polars or polars==1.2)`);
  }
}

export interface VenvIo {
  /** Progress and pip's output. */
  log(text: string): void;
  /** Environment for pip (index URL, proxies); never reaches a sandbox. */
  env: NodeJS.ProcessEnv;
}

/** Creates the venv when it does not exist yet. Returns true when it was created. */
export async function ensureVenv(venv: string, basePython: string, io: VenvIo): Promise<boolean> {
  if (existsSync(join(venv, 'bin', 'python3'))) return false;
  io.log(`creating ${venv} (${basePython} -m venv --system-site-packages)\n`);
  const made = await execa(basePython, ['-m', 'venv', '--system-site-packages', venv], {
    reject: false,
    all: true,
  });
  if (made.exitCode !== 0) {
    throw new SandboxError(
      `could not create the venv: ${String(made.all).trim().slice(-400)}`,
      'apt-get install -y python3-venv',
    );
  }
  return true;
}

/** `pip install` into the venv: from the configured index, or only from `findLinks` (offline). */
export async function pipInstall(
  venv: string,
  packages: readonly string[],
  findLinks: string | undefined,
  io: VenvIo,
): Promise<void> {
  checkRequirements(packages);
  const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input'];
  if (findLinks) args.push('--no-index', '--find-links', findLinks);
  args.push('--', ...packages);
  const result = await execa(join(venv, 'bin', 'python3'), args, {
    reject: false,
    all: true,
    env: io.env,
    extendEnv: false,
    timeout: 15 * 60_000,
  });
  io.log(String(result.all ?? ''));
  if (result.exitCode !== 0) {
    throw new SandboxError(
      `pip could not install ${packages.join(' ')} (exit ${result.exitCode ?? 'none'})`,
      findLinks
        ? `check that ${findLinks} holds wheels for ${packages.join(' ')} and their dependencies`
        : 'check the package name and the index (PIP_INDEX_URL); for an offline host use --find-links DIR',
    );
  }
}
