import { z } from 'zod';
import { type Outline, smokeCheckSchema } from '../types.js';
import {
  fenced,
  filesPart,
  NO_ENV,
  outlineForModel,
  type Prompt,
  type PromptEnv,
  systemPrompt,
  withEnvironment,
} from './common.js';

export const checksAnswerSchema = z.object({ smokeChecks: z.array(smokeCheckSchema).min(1).max(3) });
export type ChecksAnswer = z.infer<typeof checksAnswerSchema>;

/**
 * One call: the smoke checks rewritten, when the person says a check's expectation is what is
 * wrong (after a run whose only failure was a check's expected output, or after the repair limit).
 */
export function buildReviseChecksMessages(
  outline: Outline,
  failure: string,
  request: string,
  env: PromptEnv = NO_ENV,
): Prompt {
  const parts = [
    `Outline:\n${outlineForModel(outline)}${filesPart(env)}`,
    `Current smoke checks JSON:\n${JSON.stringify(outline.smokeChecks)}`,
  ];
  if (failure) parts.push(fenced('The last run', failure));
  parts.push(
    request.trim()
      ? fenced('What the person wants changed in the checks', request)
      : 'The person says the script is right and the checks expect the wrong thing: correct the expectations to what the script should print.',
  );
  return {
    task: 'revise_checks',
    messages: [
      {
        role: 'system',
        content: withEnvironment(
          systemPrompt('You correct the smoke checks of a single-file Python script.', [
            'Each check: description, args, stdin, files (name + content), expectExit, expectOutput (fragments that must appear in stdout or stderr).',
            'Change only what is wrong; keep the checks quick (1-3 of them) and following the run rules.',
            'Answer with JSON: {"smokeChecks": [{"description","args","stdin","files": [{"name","content"}],"expectExit","expectOutput"}]}.',
            ...env.rules,
          ]),
          env.environment,
        ),
      },
      { role: 'user', content: parts.join('\n\n') },
    ],
  };
}
