/** The stages' side of package checks: the environment, read once per step, and the gate draft. */
import type { ScriptEnvironmentInfo } from '../../python/types.js';
import type { StageContext } from '../context.js';
import {
  checkPackages,
  type MissingPackage,
  missingInScriptDraft,
  outlineGateDraft,
  outlineModules,
  packageState,
} from '../packages.js';
import type { Draft, Outline, SessionState, StageOutcome } from '../types.js';

/** The script environment, or null when it is unknown (no check then; QA still resolves imports). */
export async function environmentOf(
  ctx: Pick<StageContext, 'python'>,
): Promise<ScriptEnvironmentInfo | null> {
  try {
    return (await ctx.python.environment?.describe()) ?? null;
  } catch {
    return null;
  }
}

/** The outline's imports checked right away: the state to keep and the draft to post. */
export function outlineGate(
  ctx: Pick<StageContext, 'python'>,
  outline: Outline,
  revised: boolean,
  env: ScriptEnvironmentInfo | null,
): { patch: Partial<SessionState>; draft: Draft } {
  const report = env ? checkPackages(outlineModules(outline.imports), env) : { missing: [], network: false };
  const canInstall = ctx.python.installable === true;
  const draft = env
    ? outlineGateDraft(outline, revised, report, env, canInstall)
    : outlineGateDraft(outline, revised, report, emptyEnv(), false);
  return { patch: packageState(report, canInstall), draft };
}

/** Third-party modules of `modules` (dotted) that the environment lacks; [] when it is unknown. */
export function missingOf(modules: readonly string[], env: ScriptEnvironmentInfo | null): MissingPackage[] {
  return env ? checkPackages(modules, env).missing : [];
}

function emptyEnv(): ScriptEnvironmentInfo {
  return { python: '3', executable: '', venv: false, siteDirs: [], stdlib: [], packages: [] };
}

/**
 * QA or repair found the script needs a package that is not installed: rewriting its import line
 * alone cannot fix that, so the session goes back to the outline gate with the choices.
 */
export function missingPackagesOutcome(
  ctx: Pick<StageContext, 'python' | 'state'>,
  missing: MissingPackage[],
  env: ScriptEnvironmentInfo,
  how: 'imports' | 'run',
): StageOutcome {
  const canInstall = ctx.python.installable === true;
  return {
    result: 'packages',
    // The script is written again from the revised outline: it goes back through "Run it?".
    state: {
      ...ctx.state,
      ...packageState({ missing, network: false }, canInstall),
      qaRound: 0,
      repairs: 0,
      afterQa: 'approve_run',
    },
    messages: [missingInScriptDraft(missing, env, canInstall, how)],
    events: [{ type: 'missing_packages', data: { how, missing: missing.map((m) => m.module) } }],
  };
}
