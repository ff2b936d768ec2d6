import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { z } from 'zod';
import { SandboxError } from '../errors.js';
import type { ScriptEnvironment, ScriptEnvironmentInfo } from './types.js';

/** Next to this file in src/ and in dist/ (copied by scripts/copy-assets.mjs). */
const DISCOVER = fileURLToPath(new URL('./environment.py', import.meta.url));

const infoSchema = z.object({
  python: z.string(),
  executable: z.string(),
  venv: z.boolean(),
  siteDirs: z.array(z.string()),
  stdlib: z.array(z.string()),
  packages: z.array(
    z.object({
      name: z.string(),
      distribution: z.string().nullable(),
      version: z.string().nullable(),
      location: z.string(),
    }),
  ),
});

/** The interpreter scripts run with: the venv's when one is configured, else FF2_PYTHON. */
export function scriptPython(python: string, venv: string | null | undefined): string {
  return venv ? join(venv, 'bin', 'python3') : python;
}

export interface ScriptEnvironmentConfig {
  /** FF2_PYTHON. */
  python: string;
  /** FF2_PYTHON_VENV, when set. */
  venv?: string | null;
  /** Default 15,000 ms. */
  timeoutMs?: number;
}

/**
 * Discovers the script environment with one `python -I environment.py` call and caches it,
 * keyed by the modification times of its site directories: installing a package changes its
 * site directory, so the next describe() looks again.
 */
export function createScriptEnvironment(config: ScriptEnvironmentConfig): ScriptEnvironment {
  const python = scriptPython(config.python, config.venv);
  let cached: { info: ScriptEnvironmentInfo; stamp: string } | null = null;
  let pending: Promise<ScriptEnvironmentInfo> | null = null;
  const discover = async (): Promise<ScriptEnvironmentInfo> => {
    if (!existsSync(python)) {
      throw new SandboxError(
        `the script interpreter ${python} does not exist`,
        config.venv
          ? `create the venv: /usr/bin/python3 -m venv --system-site-packages ${config.venv} (or run ff2 python add <package>)`
          : 'apt-get install -y python3',
      );
    }
    const result = await execa(python, ['-I', DISCOVER], {
      timeout: config.timeoutMs ?? 15_000,
      reject: false,
      extendEnv: false,
      env: { LANG: 'C.UTF-8' },
    });
    if (result.exitCode !== 0) {
      throw new SandboxError(
        `listing the script environment failed: ${String(result.stderr).trim().slice(-300)}`,
        'run ff2 doctor',
      );
    }
    const info = infoSchema.parse(JSON.parse(String(result.stdout)));
    cached = { info, stamp: stampOf(info.siteDirs) };
    return info;
  };
  return {
    venv: config.venv ?? null,
    async describe() {
      if (cached && cached.stamp === stampOf(cached.info.siteDirs)) return cached.info;
      pending ??= discover().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}

function stampOf(dirs: readonly string[]): string {
  return dirs
    .map((dir) => {
      try {
        return String(statSync(dir).mtimeMs);
      } catch {
        return '-';
      }
    })
    .join('|');
}

/** The listing `ff2 python list` and `ff2 doctor` print. */
export function describeEnvironment(info: ScriptEnvironmentInfo, venv: string | undefined): string {
  const lines = [
    `Python ${info.python} at ${info.executable}${info.venv ? ` (venv ${venv ?? info.executable})` : ''}`,
    `${info.packages.length} third-party packages importable by scripts (besides the standard library):`,
  ];
  for (const p of info.packages) {
    const from = venv && p.location.startsWith(venv) ? '  [venv]' : '';
    lines.push(`  ${p.name.padEnd(20)} ${(p.version ?? '?').padEnd(12)} ${p.distribution ?? ''}${from}`);
  }
  return `${lines.join('\n')}\n`;
}
