/**
 * Templates: a folder `<name>/` holding `template.json` (name, description, run mode, tags, the
 * outline in ff2's outline schema, smoke checks whose input files live in `samples/`) and
 * `script.py`, baseline code whose sections match the outline. Shipped ones live in the package's
 * `templates/`; an operator's own in FF2_TEMPLATES_DIR (a same-named one there wins). Reading a
 * template never runs its code.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type Outline, outlineSchema } from '../pipeline/types.js';

/** `templates/` at the package root, both from src/ (tsx, vitest) and from dist/. */
export const SHIPPED_TEMPLATES_DIR = fileURLToPath(new URL('../../templates', import.meta.url));

const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const templateFileSchema = z.object({
  name: z.string().regex(NAME, 'lower-case letters, digits, - and _ (at most 40)'),
  description: z.string().min(1).max(200),
  runMode: z.enum(['cli', 'gui']),
  tags: z.array(z.string()).default([]),
  /** The outline without smoke checks (they come from `smokeChecks` below). */
  outline: outlineSchema.omit({ smokeChecks: true }),
  smokeChecks: z
    .array(
      z.object({
        description: z.string(),
        args: z.array(z.string()).default([]),
        stdin: z.string().default(''),
        /** Names of files in the template's `samples/` folder, written next to the script. */
        files: z.array(z.string().regex(/^[\w.-]+$/)).default([]),
        expectExit: z.number().int().default(0),
        expectOutput: z.array(z.string()).default([]),
      }),
    )
    .min(1)
    .max(3),
});

export interface Template {
  name: string;
  description: string;
  runMode: 'cli' | 'gui';
  tags: string[];
  /** The full outline, smoke checks with their sample files' contents. */
  outline: Outline;
  /** script.py, exactly as stored. */
  code: string;
  dir: string;
  origin: 'shipped' | 'operator';
}

/** What `ff2 templates --json` and `/ff2 templates` list. */
export interface TemplateSummary {
  name: string;
  description: string;
  runMode: 'cli' | 'gui';
  tags: string[];
}

export interface TemplateCatalog {
  /** Sorted by name; an operator's template replaces a shipped one of the same name. */
  templates: Template[];
  /** Folders that are not valid templates, with why (for `ff2 templates` and logs). */
  problems: { dir: string; problem: string }[];
}

/** Reads one template folder. @throws Error naming what is wrong. */
export function readTemplate(dir: string, origin: Template['origin']): Template {
  const jsonPath = join(dir, 'template.json');
  const scriptPath = join(dir, 'script.py');
  if (!existsSync(jsonPath)) throw new Error('template.json is missing');
  if (!existsSync(scriptPath)) throw new Error('script.py is missing');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (error) {
    throw new Error(`template.json is not JSON: ${(error as Error).message}`);
  }
  const parsed = templateFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`template.json: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const file = parsed.data;
  const smokeChecks = file.smokeChecks.map((check) => ({
    ...check,
    files: check.files.map((name) => {
      const path = join(dir, 'samples', name);
      if (!existsSync(path)) throw new Error(`sample file samples/${name} is missing`);
      return { name, content: readFileSync(path, 'utf8') };
    }),
  }));
  const outline = outlineSchema.parse({ ...file.outline, runMode: file.runMode, smokeChecks });
  return {
    name: file.name,
    description: file.description,
    runMode: file.runMode,
    tags: file.tags,
    outline,
    code: readFileSync(scriptPath, 'utf8'),
    dir,
    origin,
  };
}

function readFolder(root: string, origin: Template['origin'], catalog: TemplateCatalog): Template[] {
  if (!existsSync(root)) {
    if (origin === 'operator') catalog.problems.push({ dir: root, problem: 'the folder does not exist' });
    return [];
  }
  const found: Template[] = [];
  for (const entry of readdirSync(root).sort()) {
    const dir = join(root, entry);
    if (!statSync(dir).isDirectory()) continue;
    try {
      found.push(readTemplate(dir, origin));
    } catch (error) {
      catalog.problems.push({ dir, problem: (error as Error).message });
    }
  }
  return found;
}

/** The shipped templates plus the operator's (FF2_TEMPLATES_DIR), read fresh on each call. */
export function loadTemplates(operatorDir?: string, shippedDir = SHIPPED_TEMPLATES_DIR): TemplateCatalog {
  const catalog: TemplateCatalog = { templates: [], problems: [] };
  const byName = new Map<string, Template>();
  for (const t of readFolder(shippedDir, 'shipped', catalog)) byName.set(t.name, t);
  if (operatorDir) for (const t of readFolder(operatorDir, 'operator', catalog)) byName.set(t.name, t);
  catalog.templates = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return catalog;
}

export function summaryOf(template: Template): TemplateSummary {
  return {
    name: template.name,
    description: template.description,
    runMode: template.runMode,
    tags: template.tags,
  };
}

/** The template list as one chat message. */
export function templateListText(templates: readonly Template[]): string {
  if (templates.length === 0) return 'No templates are installed.';
  const lines = templates.map((t) => `• ${t.name} (${t.runMode}): ${t.description}`);
  return `Templates — start one with "/ff2 from:<name> <goal>":\n${lines.join('\n')}`;
}
