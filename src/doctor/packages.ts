import type { Config } from '../config.js';
import { createEnvironment } from '../python/create.js';
import { describeEnvironment } from '../python/environment.js';
import { createSandbox } from '../sandbox/create.js';
import type { Sandbox } from '../sandbox/types.js';
import type { CheckResult, DoctorCheck } from './types.js';

/** Imports each name in turn; prints one JSON object {failed: {name: error}}. */
const IMPORT_EACH = `import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as error:
        failed[name] = "%s: %s" % (type(error).__name__, str(error)[:200])
print(json.dumps({"failed": failed}))`;

/**
 * The script environment: the interpreter and every importable third-party package with its
 * version, and that each one really imports inside the sandbox (one sandboxed run).
 */
export const packagesCheck: DoctorCheck = {
  name: 'script env',
  async run(config) {
    const sandbox = createSandbox(config);
    try {
      return await checkScriptEnvironment(config, sandbox);
    } finally {
      await sandbox.close();
    }
  },
};

/** The check itself, with the sandbox to import in. Never throws. */
export async function checkScriptEnvironment(
  config: Readonly<Config>,
  sandbox: Sandbox,
): Promise<CheckResult> {
  let listing: string;
  let names: string[];
  try {
    const info = await createEnvironment(config).describe();
    listing = describeEnvironment(info, config.sandbox.venv).trimEnd();
    names = info.packages.map((p) => p.name);
  } catch (error) {
    return {
      name: 'script env',
      ok: false,
      detail: (error as Error).message,
      fix: 'apt-get install -y python3 (and check FF2_PYTHON / FF2_PYTHON_VENV)',
    };
  }
  try {
    const result = await sandbox.run({
      script: IMPORT_EACH,
      args: names,
      limits: { timeoutMs: 120_000, cpuSeconds: 120, memoryMb: Math.max(config.sandbox.memoryMb, 2048) },
    });
    const failed = parseFailed(result.stdout);
    if (result.status !== 'ok' || !failed) {
      return {
        name: 'script env',
        ok: false,
        detail: `${listing}\nimporting them in the sandbox ended ${result.status}: ${result.stderr.trim().slice(-300)}`,
        fix: 'run ff2 doctor again; see the sandbox check above',
      };
    }
    const bad = Object.entries(failed);
    if (bad.length === 0)
      return {
        name: 'script env',
        ok: true,
        detail: `${listing}\nall ${names.length} import in the sandbox`,
      };
    return {
      name: 'script env',
      ok: false,
      detail: `${listing}\n${bad.length} do not import in the sandbox:\n${bad.map(([n, e]) => `  ${n}: ${e}`).join('\n')}`,
      fix: 'reinstall the package (apt-get install --reinstall python3-<name>, or ff2 python add <name>)',
    };
  } catch (error) {
    return { name: 'script env', ok: false, detail: `${listing}\n${(error as Error).message}` };
  }
}

function parseFailed(stdout: string): Record<string, string> | null {
  try {
    const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { failed?: Record<string, string> };
    return parsed.failed && typeof parsed.failed === 'object' ? parsed.failed : null;
  } catch {
    return null;
  }
}
