import { existsSync } from 'node:fs';
import { GUI_DRIVER_PATH } from './bwrap-args.js';
import { dumpAfterSeconds } from './limits.js';

/**
 * GUI runs (SANDBOX.md §2): inside the same sandbox, `gui_driver.py` starts a private Xvfb,
 * runs the script with DISPLAY set, waits for a mapped window, captures it with ImageMagick's
 * `import` and writes the PNG to fd 3; the script is then stopped, which is success.
 */

export const GUI_TOOLS = ['/usr/bin/Xvfb', '/usr/bin/xwininfo', '/usr/bin/import'] as const;
export const GUI_PACKAGES = 'xvfb x11-utils imagemagick python3-tk fonts-dejavu-core';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** GUI tools not installed on this host (the sandbox sees the host's /usr). */
export function missingGuiTools(exists: (path: string) => boolean = existsSync): string[] {
  return GUI_TOOLS.filter((tool) => !exists(tool));
}

/** The command run inside the sandbox for a GUI script. */
export function guiCommand(python: string, args: readonly string[]): string[] {
  return [python, '-I', GUI_DRIVER_PATH, 'main.py', ...args];
}

/** Environment for the driver: it passes the faulthandler deadline on to the script only. */
export function guiEnv(timeoutMs: number): Record<string, string> {
  return { FF2_GUI_DUMP_AFTER_S: dumpAfterSeconds(timeoutMs).toFixed(2) };
}

/** The bytes from fd 3 when they are a PNG, else null. */
export function screenshotFrom(bytes: Uint8Array | undefined): Uint8Array | null {
  if (!bytes || bytes.length < PNG_SIGNATURE.length) return null;
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b) ? bytes : null;
}
