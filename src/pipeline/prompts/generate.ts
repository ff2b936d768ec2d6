import { z } from 'zod';
import type { Outline, PlannedSection } from '../types.js';
import { codeMessages, NO_ENV, outlinePart, type Prompt, type PromptEnv } from './common.js';

export const codeAnswerSchema = z.object({ code: z.string().min(1) });
export type CodeAnswer = z.infer<typeof codeAnswerSchema>;

/** What the section must contain, by kind. */
export function sectionContract(section: PlannedSection, outline: Outline): string {
  switch (section.kind) {
    case 'imports':
      return 'Write the imports section: a one-line module docstring, every import the script needs, and the outlined globals as module constants. Nothing else: no functions, no main.';
    case 'main':
      return 'Write main(argv=None) following the main flow (returning the exit code), then the guard: if __name__ == "__main__": followed by sys.exit(main()). Other functions already exist; call them, do not redefine them.';
    case 'class': {
      const spec = outline.classes.find((c) => c.name === section.name);
      return `Write exactly one top-level class ${section.name}: ${spec?.purpose ?? ''} Methods: ${spec?.methods.join(', ') ?? ''}. Nothing else.`;
    }
    case 'function': {
      const spec = outline.functions.find((f) => f.name === section.name);
      const head = spec ? `def ${spec.name}(${spec.params})` : `def ${section.name}(...)`;
      return `Write exactly one top-level function, ${head}, returning ${spec?.returns ?? 'what its purpose needs'}: ${spec?.purpose ?? ''} Give it a docstring and a complete implementation. Nothing else.`;
    }
  }
}

/**
 * One call per section: the spec, the outline with every signature, and only the code this
 * section depends on (the imports section and the functions it calls that already exist).
 */
export function buildGenerateMessages(
  section: PlannedSection,
  outline: Outline,
  dependencies: readonly { name: string; code: string }[],
  env: PromptEnv = NO_ENV,
): Prompt {
  const parts = [outlinePart(outline, env)];
  for (const dep of dependencies) parts.push(`Existing code of ${dep.name}:\n${dep.code}`);
  parts.push(`Write the section: ${section.name}\n${sectionContract(section, outline)}`);
  return codeMessages(
    'generate',
    'You write one section of a single-file Python script.',
    [
      'Functions outlined elsewhere exist or will exist; call them by their outlined names and signatures.',
      'Answer with JSON: {"code": string}.',
    ],
    env,
    parts.join('\n\n'),
  );
}
