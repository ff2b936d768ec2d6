/**
 * How a new session starts: from nothing (the interview), from a template (the interview and
 * outline adapt the template's outline), or from the person's own script (read and analysed with
 * no model call, then the outline gate). Also reads the `from:<name>` prefix of a typed goal.
 */
import { loadTemplates, type Template } from '../templates/loader.js';
import type { SessionBase, SessionState, WorkingStage } from './types.js';

export type StartFrom =
  | { kind: 'template'; template: Template }
  | { kind: 'script'; name: string; bytes: Uint8Array };

/** The stage, state fields and welcome line of a session that starts from `start`. */
export function startPlan(start: StartFrom | undefined): {
  stage: WorkingStage;
  patch: Partial<SessionState>;
  line: string;
} {
  if (!start) return { stage: 'interview', patch: {}, line: '' };
  if (start.kind === 'template') {
    const base: SessionBase = {
      kind: 'template',
      name: start.template.name,
      outline: start.template.outline,
      code: start.template.code,
      goalPending: false,
    };
    return {
      stage: 'interview',
      patch: { base },
      line: `Starting from the template ${start.template.name}: ${start.template.description}.`,
    };
  }
  // Byte for byte: CRLF, tabs and all. Never executed here; analysed as text.
  const code = new TextDecoder().decode(start.bytes);
  const base: SessionBase = { kind: 'script', name: start.name, outline: null, code, goalPending: true };
  return {
    stage: 'import_script',
    patch: { base },
    line: `Starting from your script ${start.name}: I'll read it (nothing runs yet) and show its outline.`,
  };
}

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
