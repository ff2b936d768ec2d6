import type { Config } from '../config.js';
import { createScriptEnvironment, scriptPython } from './environment.js';
import { createPythonToolchain } from './toolchain.js';
import type { PythonToolchain, ScriptEnvironment } from './types.js';

/**
 * The configured toolchain: the analyser (createPythonToolchain) run with the scripts'
 * interpreter (the venv's, else FF2_PYTHON), plus what scripts can import.
 */
export function createToolchain(config: Readonly<Config>): PythonToolchain {
  return {
    // Its own unprivileged UID, just below the sandbox's slot UIDs.
    ...createPythonToolchain({
      python: scriptPython(config.sandbox.python, config.sandbox.venv),
      limits: { uid: config.sandbox.uidBase - 1 },
    }),
    environment: createEnvironment(config),
    installable: Boolean(config.sandbox.venv) && config.pipeline.approvers.length > 0,
  };
}

/** What scripts can import (FF2_PYTHON, FF2_PYTHON_VENV), discovered once and cached. */
export function createEnvironment(config: Readonly<Config>): ScriptEnvironment {
  return createScriptEnvironment({ python: config.sandbox.python, venv: config.sandbox.venv ?? null });
}
