import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SandboxError } from '../errors.js';

/** Host paths every sandbox sees (read-only binds of bwrap-args.ts)... */
export const SANDBOX_VISIBLE = ['/usr', '/etc/alternatives', '/etc/fonts', '/etc/ld.so.cache'];
/** ...except these, hidden under an empty tmpfs inside. */
export const SANDBOX_HIDDEN = ['/usr/local'];

/**
 * Refuses when one of the bot's own files (data dir, database, config file) lies where a sandboxed
 * script could read it: under a path bound into every sandbox. Symlinks are resolved through the
 * nearest existing ancestor, so a link from elsewhere into /usr is caught too.
 */
export function assertOutsideSandbox(paths: Record<string, string>, visible = SANDBOX_VISIBLE): void {
  for (const [what, path] of Object.entries(paths)) {
    const real = realOf(resolve(path));
    const under = (root: string) => real === root || real.startsWith(`${root}/`);
    const inside = SANDBOX_HIDDEN.some(under) ? undefined : visible.find(under);
    if (inside) {
      throw new SandboxError(
        `the ${what} ${path} lies under ${inside}, which every sandboxed script can read`,
        `move it elsewhere, e.g. FF2_DATA_DIR=/var/lib/ff2`,
      );
    }
  }
}

function realOf(path: string): string {
  let existing = path;
  let rest = '';
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest = `/${existing.slice(dirname(existing).length + (dirname(existing) === '/' ? 0 : 1))}${rest}`;
    existing = dirname(existing);
  }
  try {
    const real = realpathSync(existing);
    return real === '/' ? rest || '/' : `${real}${rest}`;
  } catch {
    return path;
  }
}
