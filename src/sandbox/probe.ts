import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { SandboxError } from '../errors.js';

export const INSTALL_FIX =
  'apt-get install -y --no-install-recommends bubblewrap python3 python3-tk xvfb x11-utils imagemagick fonts-dejavu-core';

export interface HostTools {
  bwrap: string;
  python: string;
}

/**
 * Refuses (SandboxError with the install command) unless bubblewrap and the interpreter are
 * present and ff2 runs as root. Never falls back to running on the host.
 */
export function assertHostReady(tools: HostTools, uid: number | undefined = process.getuid?.()): void {
  if (!existsSync(tools.bwrap)) {
    throw new SandboxError(
      `bubblewrap is not installed (${tools.bwrap} is missing); ff2 never runs scripts unsandboxed`,
      INSTALL_FIX,
    );
  }
  if (!/^\/(usr|bin)\//.test(tools.python) || !existsSync(tools.python)) {
    throw new SandboxError(
      `FF2_PYTHON=${tools.python} is not an interpreter under /usr that the sandbox can see`,
      'apt-get install -y python3 and set FF2_PYTHON=/usr/bin/python3',
    );
  }
  if (uid !== 0) {
    throw new SandboxError(
      'the sandbox needs root (to mount each run a size-limited tmpfs and switch to an unprivileged UID)',
      'run ff2 as root, e.g. in its container or with sudo',
    );
  }
}

/**
 * Where the interpreter imports `sitecustomize` from, as a path the sandbox can bind over:
 * Debian's /usr/lib/python3.X/sitecustomize.py is a symlink into /etc, which the sandbox
 * does not mount, so the bind goes to the link's target. Null when there is no such file.
 */
export async function siteCustomizeTarget(python: string): Promise<string | null> {
  const code =
    'import os,sysconfig;p=os.path.join(sysconfig.get_paths()["stdlib"],"sitecustomize.py");' +
    'print(os.readlink(p) if os.path.islink(p) else (p if os.path.exists(p) else ""))';
  const result = await execa(python, ['-I', '-S', '-c', code], { reject: false, extendEnv: false, env: {} });
  const target = String(result.stdout).trim();
  return result.exitCode === 0 && target.startsWith('/') ? target : null;
}
