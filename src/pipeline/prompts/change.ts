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

export const changeAnswerSchema = z.object({
  /** False when the request cannot be turned into a code change without asking. */
  clear: z.boolean(),
  /** What to ask when not clear. */
  question: z.string(),
  /** The one section to rewrite: an existing section name, or a new function's name. */
  target: z.string(),
  code: z.string(),
  /** One sentence saying what changed. */
  summary: z.string(),
  /** Parts of a compound request left for later, each a standalone request. */
  remaining: z.array(z.string()),
});
export type ChangeAnswer = z.infer<typeof changeAnswerSchema>;

/** One call: pick one target section for the feedback and rewrite only it. */
export function buildChangeMessages(
  outline: Outline,
  sections: readonly { name: string; code: string }[],
  feedback: string,
  /** The last run's failure, when the change is asked after a failing run. */
  failure?: string,
  env: PromptEnv = NO_ENV,
): Prompt {
  const failed = failure ? `${fenced('The last run failed with', failure)}\n\n` : '';
  return codeMessages(
    'change',
    'You apply a person’s requested change to a single-file Python script.',
    [
      'Make the smallest change: pick ONE section (by its name after "section", or a new function name) and return its complete new code.',
      'If the request asks for several things, do the first one now and list the rest in "remaining".',
      'If you cannot tell what to change, set clear=false and put one short question in "question".',
      'Answer with JSON: {"clear","question","target","code","summary","remaining"}.',
    ],
    env,
    `${outlinePart(outline, env)}\n\nScript:\n${scriptText(sections)}\n\n${failed}${fenced('Requested change', feedback)}`,
  );
}
