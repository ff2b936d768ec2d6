import { type Outline, outlineSchema, type Question } from '../types.js';
import {
  fenced,
  filesPart,
  NO_ENV,
  type Prompt,
  type PromptEnv,
  PYTHON_RULES,
  systemPrompt,
  withEnvironment,
} from './common.js';

export const outlineAnswerSchema = outlineSchema;

const OUTLINE_RULES = [
  ...PYTHON_RULES,
  'Design the script as: imports and module constants, then functions (at most 20; classes only if really needed), then main().',
  'Each function: name, params (Python parameter list without parentheses), returns, one-sentence purpose, and the outlined functions it calls.',
  'mainFlow: the steps main() takes, in order. runMode "gui" only for a window (tkinter), else "cli".',
  'inputs: whether the script reads command-line arguments, stdin, or input files.',
  'smokeChecks: 1-3 quick runs that prove it works: args, stdin, small input files (name + content), the expected exit code, and fragments expected in stdout or stderr. A check may use an attached file by its name in args. Checks must follow the run rules.',
  'Answer with JSON: {"spec", "imports", "globals": [{"name","purpose"}], "functions": [{"name","params","returns","purpose","calls"}], "classes": [{"name","purpose","methods"}], "mainFlow", "runMode", "inputs": {"argv","stdin","files"}, "smokeChecks": [{"description","args","stdin","files": [{"name","content"}],"expectExit","expectOutput"}]}.',
];

/** Q&A pairs as the model reads them; unanswered questions carry their default. */
export function answersText(
  questions: readonly Question[],
  answers: Readonly<Record<string, string>>,
): string {
  return questions
    .map((q, i) => `Q: ${q.question}\nA: ${answers[String(i)] ?? `${q.default} (default)`}`)
    .join('\n');
}

/** One call: the refined spec and the structured outline. */
export function buildOutlineMessages(
  goal: string,
  questions: readonly Question[],
  answers: Readonly<Record<string, string>>,
  env: PromptEnv = NO_ENV,
): Prompt {
  const parts = [fenced('Goal', goal)];
  if (questions.length > 0) parts.push(fenced('Clarifications', answersText(questions, answers)));
  return {
    task: 'outline',
    messages: [
      {
        role: 'system',
        content: withEnvironment(
          systemPrompt('You design a single-file Python script.', [...OUTLINE_RULES, ...env.rules]),
          env.environment,
        ),
      },
      { role: 'user', content: parts.join('\n\n') + filesPart(env) },
    ],
  };
}

/** One call: the outline revised by the person's words. */
export function buildReviseOutlineMessages(
  goal: string,
  outline: Outline,
  edit: string,
  env: PromptEnv = NO_ENV,
): Prompt {
  return {
    task: 'revise_outline',
    messages: [
      {
        role: 'system',
        content: withEnvironment(
          systemPrompt('You revise the design of a single-file Python script.', [
            ...OUTLINE_RULES,
            'Change only what the requested edit asks for (it may be about the smoke checks); keep everything else as it is.',
            ...env.rules,
          ]),
          env.environment,
        ),
      },
      {
        role: 'user',
        content:
          [
            fenced('Goal', goal),
            `Current outline JSON:\n${JSON.stringify(outline)}`,
            fenced('Requested edit', edit),
          ].join('\n\n') + filesPart(env),
      },
    ],
  };
}
