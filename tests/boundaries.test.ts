import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsFiles } from './helpers/source-files.js';

/** The pipeline is pure: no SDKs, no fs, no child processes, and only other layers' contracts. */
const PIPELINE = fileURLToPath(new URL('../src/pipeline', import.meta.url));
const FORBIDDEN = [
  '@slack/bolt',
  'discord.js',
  'openai',
  'node-llama-cpp',
  'execa',
  'better-sqlite3',
  'pino',
  'node:child_process',
  'child_process',
  'node:fs',
  'fs',
  'node:fs/promises',
  'fs/promises',
  'node:net',
  'node:http',
];
/** Outside src/pipeline, only these modules may be imported (contracts, not implementations). */
const ALLOWED_OUTSIDE = new Set([
  'llm/types.js',
  'python/types.js',
  'sandbox/types.js',
  'store/types.js',
  'logger.js',
  'errors.js',
]);

function imports(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g))
    found.push(m[1]!);
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

describe('src/pipeline boundaries', () => {
  const sources = tsFiles(PIPELINE);

  it('finds the pipeline sources', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  for (const file of sources) {
    const name = relative(PIPELINE, file);
    it(`${name} imports no SDK, fs or child_process, and only contracts from other layers`, () => {
      for (const spec of imports(readFileSync(file, 'utf8'))) {
        expect(FORBIDDEN, `${name} imports ${spec}`).not.toContain(spec);
        if (spec.startsWith('.')) {
          const target = relative(PIPELINE, join(file, '..', spec));
          if (target.startsWith('..'))
            expect(ALLOWED_OUTSIDE.has(target.replace(/^\.\.\//, '')), `${name} imports ${spec}`).toBe(true);
        }
      }
    });
  }
});
