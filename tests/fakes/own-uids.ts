/**
 * A real sandbox like `createSandbox(config)`, but on a UID range of the test's own, so parallel
 * test files (which all default to 61001+) never share or kill each other's run users.
 */
import type { Config } from '../../src/config.js';
import { ProcessSandbox } from '../../src/sandbox/bwrap.js';
import { defaultLimits } from '../../src/sandbox/limits.js';

export function sandboxOnUids(config: Readonly<Config>, uidBase: number): ProcessSandbox {
  const { python, venv, slots, timeoutS, memoryMb } = config.sandbox;
  return new ProcessSandbox({ python, venv, slots, limits: defaultLimits({ timeoutS, memoryMb }), uidBase });
}
