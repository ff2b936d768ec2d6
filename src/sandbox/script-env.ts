import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SandboxError } from '../errors.js';
import { MPL_CACHE_MOUNT, MPL_CONFIG_DIR, prepareCaches, stageMatplotlibCache } from '../python/caches.js';
import { scriptPython } from '../python/environment.js';

/**
 * The script environment's part of a sandbox run, kept apart from the sandbox's own rules: which
 * interpreter runs the script (the operator's venv when FF2_PYTHON_VENV is set), what is bound
 * read-only for it (the venv, the prepared first-import caches) and the variables that make
 * plotting headless (MPLBACKEND=Agg, plt.show() saves the figures; see sandbox_site.py).
 */
const DEBIAN_MATPLOTLIBRC = '/etc/matplotlibrc';

export interface ScriptEnvLayout {
  /** Interpreter path inside the sandbox (same as on the host). */
  interpreter: string;
  /**
   * What a run of `script` gets: [host, sandbox] pairs bound read-only and extra environment.
   * The matplotlib font cache is built (once, on the host) only for scripts that plot.
   */
  forRun(script: string, gui: boolean): Promise<{ roBinds: [string, string][]; env: Record<string, string> }>;
}

/** Scripts that may import matplotlib (directly, through pandas' .plot, or seaborn). */
const PLOTS = /matplotlib|pylab|seaborn|\.plot\b|\.hist\(/;

export interface ScriptEnvConfig {
  /** FF2_PYTHON (under /usr). */
  python: string;
  /** FF2_PYTHON_VENV. */
  venv?: string | undefined;
  /** Host folder of the first-import caches; built there when missing. None: no caches. */
  cacheDir?: string | undefined;
}

/**
 * Resolves the interpreter, stages the caches into `bootDir` (a folder every slot UID can read)
 * and lists the binds. @throws SandboxError when the configured venv has no interpreter.
 */
export async function prepareScriptEnv(config: ScriptEnvConfig, bootDir: string): Promise<ScriptEnvLayout> {
  const interpreter = scriptPython(config.python, config.venv);
  const roBinds: [string, string][] = [];
  if (config.venv) {
    if (!existsSync(interpreter)) {
      throw new SandboxError(
        `FF2_PYTHON_VENV=${config.venv} has no ${interpreter}`,
        `/usr/bin/python3 -m venv --system-site-packages ${config.venv}`,
      );
    }
    assertReachable(config.venv);
    roBinds.push([config.venv, config.venv]);
  }
  // Debian keeps matplotlib's defaults in /etc (mpl-data/matplotlibrc links there); the sandbox has no /etc.
  if (existsSync(DEBIAN_MATPLOTLIBRC)) roBinds.push([DEBIAN_MATPLOTLIBRC, DEBIAN_MATPLOTLIBRC]);
  let mplCache: Promise<string | null> | null = null;
  const stageCache = async (dir: string): Promise<string | null> => {
    const prepared = await prepareCaches(interpreter, dir).catch(() => null);
    return prepared?.matplotlib
      ? stageMatplotlibCache(prepared.matplotlib, join(bootDir, 'matplotlib')).catch(() => null)
      : null;
  };
  return {
    interpreter,
    async forRun(script, gui) {
      if (config.cacheDir && PLOTS.test(script)) mplCache ??= stageCache(config.cacheDir);
      const cache = PLOTS.test(script) && mplCache ? await mplCache : null;
      return {
        roBinds: cache ? [...roBinds, [cache, MPL_CACHE_MOUNT]] : roBinds,
        env: {
          MPLCONFIGDIR: MPL_CONFIG_DIR,
          ...(cache ? { FF2_MPL_CACHE: MPL_CACHE_MOUNT } : {}),
          // A GUI run keeps matplotlib's window backend: its window is what the screenshot shows.
          ...(gui ? {} : { MPLBACKEND: 'Agg', FF2_PLT_SHOW: 'save' }),
        },
      };
    },
  };
}

/**
 * bubblewrap mounts the venv as the slot's unprivileged UID: every folder above it must let
 * others through (x) and the venv itself be readable (r+x), or every run would fail to start.
 */
function assertReachable(venv: string): void {
  for (let dir = venv; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    const need = dir === venv ? 0o005 : 0o001;
    if ((mode & need) !== need) {
      throw new SandboxError(
        `FF2_PYTHON_VENV=${venv} is not readable by the sandbox's users (${dir} is mode ${(mode & 0o777).toString(8)})`,
        `chmod o+rx ${dir}, or keep the venv in a folder every user can read, e.g. /opt/ff2/venv`,
      );
    }
    if (dirname(dir) === dir) return;
  }
}
