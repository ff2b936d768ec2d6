/**
 * How a new session starts: from nothing (the interview), from a template (the interview and
 * outline adapt the template's outline), or from the person's own script (read and analysed with
 * no model call, then the outline gate).
 */
import type { Outline, SessionBase, SessionState, WorkingStage } from './types.js';

/** The parts of a template a session starts from (templates/loader.ts reads them). */
export interface StartTemplate {
  name: string;
  description: string;
  outline: Outline;
  code: string;
}

export type StartFrom =
  | { kind: 'template'; template: StartTemplate }
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
