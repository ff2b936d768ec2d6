/** `ff2 chat --from <template|path.py>`: what the terminal's start event carries, checked up front. */
import { resolve } from 'node:path';
import { loadTemplates } from '../../templates/loader.js';
import { readAttachment } from './local.js';

export type TerminalStart = { template: string } | { script: { name: string; bytes: Uint8Array } };

/** A template name, or a path ending in .py (read here, size-checked, never run); or why not. */
export function terminalStart(
  from: string,
  cwd: string,
  templatesDir: string | undefined,
  maxBytes: number,
): TerminalStart | { error: string } {
  if (from.toLowerCase().endsWith('.py') || from.includes('/')) {
    const file = readAttachment(resolve(cwd, from), maxBytes);
    return 'error' in file ? file : { script: file };
  }
  const { templates } = loadTemplates(templatesDir);
  if (templates.some((t) => t.name === from.toLowerCase())) return { template: from.toLowerCase() };
  return {
    error: `no template "${from}" (templates: ${templates.map((t) => t.name).join(', ') || 'none'}; see ff2 templates), and it is not a .py path`,
  };
}
