/** Which template or script a start event asks for: the `from:<name>` goal prefix, the template option, an attached script. */
import type { StartFrom } from '../pipeline/start-from.js';
import { loadTemplates } from './loader.js';

/** `from:<name> <goal>` → the template name and the rest as the goal. */
export function splitFromPrefix(text: string): { from: string | null; goal: string } {
  const match = /^\s*from:(\S+)\s*([\s\S]*)$/i.exec(text);
  return match ? { from: match[1]!, goal: match[2]!.trim() } : { from: null, goal: text.trim() };
}

/**
 * The start of a session asked for with a template name and/or an attached script.
 * Returns the goal (prefix removed) and the start, or the sentence to answer the person with.
 */
export function resolveStart(
  request: {
    goal: string;
    template?: string | undefined;
    script?: { name: string; bytes: Uint8Array } | undefined;
  },
  templatesDir: string | undefined,
): { goal: string; start?: StartFrom } | { error: string } {
  const split = splitFromPrefix(request.goal);
  const name = request.template?.trim() || split.from;
  if (request.script) {
    if (!request.script.name.toLowerCase().endsWith('.py'))
      return { error: `${request.script.name} is not a Python file: attach a .py script to start from it.` };
    return { goal: split.goal, start: { kind: 'script', ...request.script } };
  }
  if (!name) return { goal: split.goal };
  const { templates } = loadTemplates(templatesDir);
  const template = templates.find((t) => t.name === name.toLowerCase());
  if (!template) {
    const names = templates.map((t) => t.name).join(', ') || 'none installed';
    return {
      error: `There is no template "${name}". Templates: ${names}. Say "/ff2 templates" for details.`,
    };
  }
  return { goal: split.goal, start: { kind: 'template', template } };
}
