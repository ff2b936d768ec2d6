import { z } from 'zod';
import type { Outline } from '../types.js';
import {
  codeMessages,
  fenced,
  NO_ENV,
  outlinePart,
  type Prompt,
  type PromptEnv,
  scriptText,
} from './common.js';

export { codeAnswerSchema } from './generate.js';

export interface FixRequest {
  /** Why this call happens: review findings, a static check, a failed run. */
  task: 'review_fix' | 'qa_fix' | 'repair';
  /** The section to rewrite ("imports", "main", a function or class name). */
  name: string;
  /** Its current code, or null when it must be created. */
  current: string | null;
  problems: readonly string[];
  outline: Outline;
  /** The code the section depends on (imports section, called functions). */
  context: readonly { name: string; code: string }[];
  /** Traceback / stderr of the failed run (repair only). */
  runDetail?: string;
  /** The script environment block (pipeline/packages.ts), when known. */
  environment?: string;
  /** The run rules and attached files. */
  env?: PromptEnv;
}

/** One call: rewrite exactly one section. The model always sees the code it rewrites. */
export function buildFixMessages(request: FixRequest): Prompt {
  const env = request.env ?? NO_ENV;
  const parts = [outlinePart(request.outline, env)];
  for (const dep of request.context)
    parts.push(`Related code (${dep.name}), for reference only:\n${dep.code}`);
  parts.push(
    request.current === null
      ? `The section "${request.name}" does not exist yet; write it.`
      : `Current code of "${request.name}":\n${request.current}`,
  );
  parts.push(`Problems to fix:\n${request.problems.map((p) => `- ${p}`).join('\n')}`);
  if (request.runDetail) parts.push(fenced('Output of the failed run', request.runDetail));
  const what =
    request.name === 'imports'
      ? 'the imports section (imports and module constants only)'
      : request.name === 'main'
        ? 'main() and the if __name__ == "__main__": guard'
        : `the single top-level definition of ${request.name}`;
  return codeMessages(
    request.task,
    'You fix one section of a single-file Python script.',
    [
      `Return the complete corrected code of ${what}, nothing else; keep its name and signature unless a problem says otherwise.`,
      'Answer with JSON: {"code": string}.',
    ],
    env,
    parts.join('\n\n'),
    request.environment ?? env.environment,
  );
}

export const pickAndFixSchema = z.object({ target: z.string(), code: z.string().min(1), reason: z.string() });

/** A failed check without a traceback: the model sees the script and names the one section to fix. */
export function buildPickAndFixMessages(
  outline: Outline,
  sections: readonly { name: string; code: string }[],
  problems: readonly string[],
  runDetail: string,
  env: PromptEnv = NO_ENV,
): Prompt {
  const problemList = problems.map((p) => `- ${p}`).join('\n');
  return codeMessages(
    'repair',
    'You fix a single-file Python script whose run gave the wrong result.',
    [
      'Choose the ONE section (by its name after "section") whose change fixes the problems, and return its complete corrected code.',
      'Answer with JSON: {"target": string, "code": string, "reason": string}.',
    ],
    env,
    `${outlinePart(outline, env)}\n\nScript:\n${scriptText(sections)}\n\nProblems:\n${problemList}\n\n${fenced('Run output', runDetail)}`,
  );
}
