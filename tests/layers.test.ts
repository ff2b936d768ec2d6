import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsFiles } from './helpers/source-files.js';

/**
 * The entry layer (cli.ts, commands/) sits on top: it may import the composition root (main.ts),
 * nothing below it may import the entry layer or the root.
 */
const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** The src-relative modules `file` imports (static and dynamic), e.g. `main.ts`, `commands/types.ts`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((spec) => relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const isEntry = (module: string) => module === 'cli.ts' || module.startsWith('commands/');

describe('layers', () => {
  const below = tsFiles(SRC).filter((file) => !isEntry(relative(SRC, file)));
  it.each(below.map((file) => [relative(SRC, file), file]))(
    '%s imports neither main.ts nor the entry layer',
    (_, file) => {
      const upward = importsOf(file).filter((module) => module === 'main.ts' || isEntry(module));
      expect(upward).toEqual([]);
    },
  );
});
