/**
 * The eval goal suite's format: one folder per goal under eval/goals/, holding `goal.json`
 * (validated by `goalSchema`), `reference.py` (a working solution that passes the goal's checks)
 * and any input files the goal or its checks name. The checks are hidden from the model: they
 * run only after the session ends, against the shipped (or last) script version.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { MAX_GOAL_CHARS } from '../pipeline/runner.js';

const fileName = z.string().regex(/^[\w.-]+$/, 'a plain file name (no folders)');

/** Expectations on a text (stdout, or an output file's content). */
const textExpectSchema = z.object({
  /** Fragments that must all appear. */
  contains: z.array(z.string()).default([]),
  /** Fragments that must not appear. */
  notContains: z.array(z.string()).default([]),
  /** The whole text, compared after trimming trailing spaces on each line and trailing blank lines. */
  equals: z.string().optional(),
  /** A regular expression (JavaScript syntax, flag m) that must match somewhere. */
  regex: z.string().optional(),
  /** Compare contains/notContains/equals without regard to case. */
  ignoreCase: z.boolean().default(false),
});
export type TextExpect = z.infer<typeof textExpectSchema>;

export const checkSchema = z.object({
  name: z.string().min(1),
  args: z.array(z.string()).default([]),
  stdin: z.string().default(''),
  /** Files from the goal's folder copied into the run's work dir. */
  files: z.array(fileName).default([]),
  /** Files written into the work dir with this content. */
  write: z.array(z.object({ name: fileName, content: z.string() })).default([]),
  /** Expected exit code (default 0). */
  exit: z.number().int().default(0),
  stdout: textExpectSchema.optional(),
  /** Files the script must create or change in its work dir. */
  outputFiles: z
    .array(
      textExpectSchema.extend({
        name: fileName,
        /** The file must be at least this many bytes (e.g. an image). */
        minBytes: z.number().int().min(0).default(0),
        /** The content starts with these bytes, given as hex (e.g. the PNG signature). */
        magicHex: z
          .string()
          .regex(/^[0-9a-f]*$/i)
          .optional(),
      }),
    )
    .default([]),
  /** GUI goals: a window appeared (the sandbox captured a screenshot of it). */
  window: z.boolean().default(false),
});
export type Check = z.infer<typeof checkSchema>;

export const GOAL_CATEGORIES = [
  'text',
  'csv',
  'files',
  'logs',
  'json',
  'algorithms',
  'cli',
  'gui',
  'data',
  'ambiguous',
] as const;

export const goalSchema = z.object({
  title: z.string().min(1),
  category: z.enum(GOAL_CATEGORIES),
  /** The goal as a person types it. */
  goal: z.string().min(1).max(MAX_GOAL_CHARS),
  /** Files from the goal's folder the person attaches as run input before the first run. */
  inputs: z.array(fileName).default([]),
  /**
   * What the person answers if asked: each question whose text matches `match` (a
   * case-insensitive regular expression) gets `answer`; every other question takes its default.
   * `question` is how the oracle asks it.
   */
  answers: z
    .array(z.object({ match: z.string().min(1), answer: z.string().min(1), question: z.string().min(1) }))
    .default([]),
  /** The goal is ambiguous on purpose: a good model asks before outlining. */
  expectQuestions: z.boolean().default(false),
  runMode: z.enum(['cli', 'gui']).default('cli'),
  /** Python modules the goal needs beyond the standard library; skipped when not importable. */
  requires: z.array(z.string().regex(/^[A-Za-z_][\w.]*$/)).default([]),
  checks: z.array(checkSchema).min(1),
});
export type GoalSpec = z.infer<typeof goalSchema>;

/** A loaded goal: its spec, id (folder name), folder, reference solution and input files. */
export interface Goal extends GoalSpec {
  id: string;
  dir: string;
  reference: string;
  /** Bytes of every file the goal or its checks name, by name. */
  fileBytes: Record<string, Uint8Array>;
}

export class GoalError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'GoalError';
  }
}

/** Loads one goal folder. @throws GoalError naming the file and the problem. */
export function loadGoal(dir: string): Goal {
  const path = join(dir, 'goal.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new GoalError(path, `cannot read: ${(error as Error).message}`);
  }
  const parsed = goalSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GoalError(path, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const referencePath = join(dir, 'reference.py');
  if (!existsSync(referencePath)) throw new GoalError(referencePath, 'missing (every goal needs one)');
  const spec = parsed.data;
  const names = new Set([...spec.inputs, ...spec.checks.flatMap((c) => c.files)]);
  const fileBytes: Record<string, Uint8Array> = {};
  for (const name of names) {
    const file = join(dir, name);
    if (!existsSync(file)) throw new GoalError(path, `names ${name}, which is not in ${dir}`);
    fileBytes[name] = new Uint8Array(readFileSync(file));
  }
  for (const [i, answer] of spec.answers.entries()) {
    try {
      new RegExp(answer.match, 'i');
    } catch (error) {
      throw new GoalError(path, `answers.${i}.match: ${(error as Error).message}`);
    }
  }
  for (const check of spec.checks)
    for (const { pattern, where } of [
      { pattern: check.stdout?.regex, where: 'stdout.regex' },
      ...check.outputFiles.map((f) => ({ pattern: f.regex, where: `outputFiles.${f.name}.regex` })),
    ])
      if (pattern !== undefined) {
        try {
          new RegExp(pattern, 'm');
        } catch (error) {
          throw new GoalError(path, `check "${check.name}" ${where}: ${(error as Error).message}`);
        }
      }
  return {
    ...spec,
    id: basename(dir),
    dir,
    reference: readFileSync(referencePath, 'utf8'),
    fileBytes,
  };
}

/**
 * Loads goals from a suite folder (each sub-folder with a goal.json), one goal folder, or a glob
 * over folder names (`eval/goals/csv-*`). Sorted by id.
 * @throws GoalError when a goal is invalid or nothing matches.
 */
export function loadGoals(where: string, cwd: string): Goal[] {
  const target = resolve(cwd, where);
  let dirs: string[];
  if (/[*?[]/.test(basename(target))) {
    const parent = resolve(target, '..');
    const pattern = globToRegExp(basename(target));
    dirs = existsSync(parent)
      ? readdirSync(parent)
          .filter((name) => pattern.test(name))
          .map((name) => join(parent, name))
      : [];
  } else if (existsSync(join(target, 'goal.json'))) {
    dirs = [target];
  } else if (existsSync(target) && statSync(target).isDirectory()) {
    dirs = readdirSync(target).map((name) => join(target, name));
  } else {
    throw new GoalError(target, 'no such goal folder');
  }
  const goals = dirs
    .filter((dir) => existsSync(join(dir, 'goal.json')))
    .sort()
    .map(loadGoal);
  if (goals.length === 0) throw new GoalError(target, 'no goal folders (with a goal.json) here');
  return goals;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
