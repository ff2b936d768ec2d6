import { z } from 'zod';
import type { Outline } from '../types.js';
import { codeMessages, NO_ENV, outlineForModel, type Prompt, scriptText } from './common.js';

export const reviewAnswerSchema = z.object({
  verdicts: z.array(
    z.object({
      section: z.string(),
      specMatch: z.boolean(),
      structure: z.boolean(),
      interfaces: z.boolean(),
      noPlaceholders: z.boolean(),
      style: z.boolean(),
      /** Concrete problems, each actionable; empty when every aspect holds. */
      issues: z.array(z.string()),
    }),
  ),
});
export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;

/** ONE call for the whole script: a verdict per section over the five aspects. */
export function buildReviewMessages(
  outline: Outline,
  sections: readonly { name: string; code: string }[],
): Prompt {
  return codeMessages(
    'review',
    'You are a strict reviewer of a single-file Python script.',
    [
      'Judge each section on: specMatch (does what the outline says), structure (only what belongs in it), interfaces (names and signatures match their use; calls to functions defined later in the file are fine), noPlaceholders, style.',
      'List an issue only when you are sure it is wrong and can say how to fix it; otherwise leave issues empty.',
      'Answer with JSON: {"verdicts": [{"section","specMatch","structure","interfaces","noPlaceholders","style","issues"}]}.',
    ],
    NO_ENV,
    `Outline:\n${outlineForModel(outline)}\n\nScript:\n${scriptText(sections)}`,
  );
}
