import type { Sandbox } from '../sandbox/types.js';
import type { Goal } from './goal.js';

/** One line per module that fails to import: `name<TAB>ExceptionType: message`. */
const PROBE = `import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as error:
        print("%s\\t%s: %s" % (name, type(error).__name__, error))
`;

/**
 * Which of a goal's `requires` modules fail to import inside the sandbox (where the goal's script
 * will run), with why. [] when the goal can run here. Probed once per distinct module list.
 */
export async function missingModules(
  sandbox: Sandbox,
  goal: Pick<Goal, 'requires'>,
): Promise<{ module: string; why: string }[]> {
  if (goal.requires.length === 0) return [];
  const result = await sandbox.run({
    script: PROBE,
    args: [...goal.requires],
    limits: { timeoutMs: 30_000 },
  });
  if (result.status !== 'ok')
    return goal.requires.map((module) => ({ module, why: `the import probe ended with ${result.status}` }));
  return result.stdout
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [module, why] = line.split('\t');
      return { module: module!, why: why!.slice(0, 200) };
    });
}

/** The reason a goal is skipped, in words, with the fix when the module is simply not installed. */
export function skipReason(missing: readonly { module: string; why: string }[]): string {
  const names = missing.map((m) => m.module);
  const absent = missing.filter((m) => m.why.startsWith('ModuleNotFoundError'));
  const fix =
    absent.length === missing.length
      ? `; install with: apt-get install ${names.map((m) => `python3-${m.split('.')[0]}`).join(' ')}`
      : '';
  return `needs ${names.join(', ')}, which the sandbox cannot import (${missing[0]?.why ?? ''})${fix}`;
}
