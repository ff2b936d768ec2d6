import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename } from 'node:path';

/** The terminal's view of the local machine: who is typing, and files they attach. */

/** The OS user name (the owner is `terminal:<name>`); $USER when the OS will not say. */
export function terminalUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username || env.USER || 'local';
  } catch {
    return env.USER || 'local';
  }
}

/** A file attached with `/attach <path>` (a new script version or a run input), size-checked. */
export function readAttachment(
  path: string,
  maxBytes: number,
): { name: string; bytes: Uint8Array } | { error: string } {
  try {
    const size = statSync(path).size;
    if (size > maxBytes)
      return { error: `${path} is ${size} bytes; the limit is ${maxBytes} (FF2_MAX_INPUT_MB)` };
    return { name: basename(path), bytes: new Uint8Array(readFileSync(path)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { error: `cannot read ${path}: ${code}` };
  }
}
