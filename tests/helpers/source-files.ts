import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.ts` file below `dir` (the source tree the layering tests read). */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? tsFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}
