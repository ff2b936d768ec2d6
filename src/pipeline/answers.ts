/**
 * Every model answer is checked against the session before it touches state. `askChecked` asks,
 * runs the stage's check, and on problems asks ONCE more, showing the model its answer and the
 * reasons, at a higher temperature; what is still wrong then is the caller's to refuse (most
 * stages throw `InvalidAnswerError`, which pauses the stage with Retry / Cancel).
 */
import type { ZodType } from 'zod';
import { structuralProblems } from './checks.js';
import type { AskOptions, StageContext } from './context.js';
import type { Prompt } from './prompts/common.js';
import { codeAnswerSchema } from './prompts/generate.js';
import { stripFences } from './script.js';
import type { PlannedSection } from './types.js';

/** Temperature of the one retry after a refused answer (a different answer is the point). */
export const RETRY_TEMPERATURE = 0.8;

/** A model answer refused after its retry; the runner pauses the stage with the message. */
export class InvalidAnswerError extends Error {
  override readonly name = 'InvalidAnswerError';
}

export interface Checked<T> {
  value: T;
  /** What is still wrong after the retry ([] when the answer is fine). */
  problems: string[];
}

/** Asks, checks, and retries once with the reasons. Never throws for a refused answer. */
export async function askChecked<T>(
  ctx: Pick<StageContext, 'ask'>,
  name: string,
  prompt: Prompt,
  schema: ZodType<T>,
  check: (value: T) => string[] | Promise<string[]>,
  options: AskOptions = {},
): Promise<Checked<T>> {
  const first = await ctx.ask(name, prompt, schema, options);
  const problems = await check(first);
  if (problems.length === 0) return { value: first, problems };
  const retry = await ctx.ask(
    `${name}:retry`,
    {
      task: prompt.task,
      messages: [
        ...prompt.messages,
        { role: 'assistant', content: JSON.stringify(first) },
        {
          role: 'user',
          content: `Your answer was rejected:\n${problems.map((p) => `- ${p}`).join('\n')}\nAnswer again with the corrected JSON only.`,
        },
      ],
    },
    schema,
    { ...options, temperature: RETRY_TEMPERATURE },
  );
  return { value: retry, problems: await check(retry) };
}

/** A unit's kind as ff2 generates it: imports (and globals), main, a class, else a function. */
export function unitKind(name: string, classes: readonly string[]): PlannedSection['kind'] {
  if (name === 'imports' || name === 'globals') return 'imports';
  if (name === 'main') return 'main';
  return classes.includes(name) ? 'class' : 'function';
}

/**
 * Asks for the code of one section and refuses code that does not parse or does not define
 * exactly that section (a whole script, another section, a renamed one), retrying once.
 * @throws InvalidAnswerError when the retry is refused too.
 */
export async function askSectionCode(
  ctx: Pick<StageContext, 'ask' | 'python'>,
  name: string,
  section: PlannedSection,
  prompt: Prompt,
  options: AskOptions = {},
): Promise<string> {
  const answer = await askChecked(
    ctx,
    name,
    prompt,
    codeAnswerSchema,
    async (a) => structuralProblems(section, await ctx.python.analyze(stripFences(a.code))),
    options,
  );
  if (answer.problems.length > 0)
    throw new InvalidAnswerError(
      `the model's code for ${section.name} was refused twice (${answer.problems[0]})`,
    );
  return stripFences(answer.value.code);
}

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case print'.split(
    ' ',
  ),
);

/** Why `name` cannot be a new function of the outline; null when it can. */
export function newFunctionProblem(name: string, outline: { functions: readonly unknown[] }): string | null {
  if (!/^[A-Za-z_]\w*$/.test(name)) return `"${name}" is not a Python identifier`;
  if (PYTHON_KEYWORDS.has(name)) return `"${name}" is a Python keyword or builtin`;
  if (outline.functions.length >= MAX_FUNCTIONS)
    return `the outline already has ${MAX_FUNCTIONS} functions, the most it may have`;
  return null;
}

/** The outline's limit on functions (outlineSchema). */
export const MAX_FUNCTIONS = 20;
