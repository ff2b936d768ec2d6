/**
 * Designs stay within what is installed. Pure: the script environment (discovered by the Python
 * edge) and the outline's or script's imports in; the report, what the model is told, the outline
 * gate's choices and what each choice does, out.
 */
import type { ScriptEnvironmentInfo } from '../python/types.js';
import { type GateInput, type GateOptions, type GateOutcome, STALE } from './gate-outcome.js';
import { CANCEL, outlineDraft, outlineText } from './messages.js';
import { ALTERNATIVES, NETWORK_MODULES, pipName, WELL_KNOWN } from './package-names.js';
import type { Draft, DraftButton, Outline, SessionState } from './types.js';

export interface MissingPackage {
  /** Top-level import name, e.g. "polars". */
  module: string;
  /** The closest installed alternative, or null when none is known. */
  alternative: string | null;
  /** What `ff2 python add` installs it by. */
  pip: string;
}

export interface PackageReport {
  missing: MissingPackage[];
  /** The design talks to the network (requests, sockets…), which runs cannot. */
  network: boolean;
}

/** Most packages named in the prompt; the rest are counted. */
const PROMPT_PACKAGES = 40;

/** Dotted module names from the outline's import lines ("pandas as pd", "from x import y", "csv, sys"). */
export function outlineModules(imports: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of imports) {
    const line = raw.trim();
    const from = /^from\s+([\w.]+)\s/.exec(line);
    const parts = from ? [from[1]!] : line.replace(/^import\s+/, '').split(',');
    for (const part of parts) {
      const name = /^\s*([A-Za-z_][\w.-]*)/.exec(part)?.[1];
      if (name && !out.includes(name)) out.push(name.replace(/\.+$/, ''));
    }
  }
  return out;
}

/** Which of `modules` (dotted names) the environment cannot import, and whether any is a network module. */
export function checkPackages(modules: readonly string[], env: ScriptEnvironmentInfo): PackageReport {
  const installed = new Set(env.packages.map((p) => p.name));
  // A design may name the distribution ("beautifulsoup4", "Pillow") instead of the import name.
  const distributions = new Set(
    env.packages.flatMap((p) => (p.distribution ? [canonical(p.distribution)] : [])),
  );
  const stdlib = new Set(env.stdlib);
  const missing: MissingPackage[] = [];
  for (const dotted of modules) {
    const top = dotted.split('.')[0]!;
    if (!top || top === '__future__' || stdlib.has(top) || installed.has(top)) continue;
    if (distributions.has(canonical(top))) continue;
    if (missing.some((m) => m.module === top)) continue;
    const alternative = (ALTERNATIVES[top] ?? []).find((a) => installed.has(a)) ?? null;
    missing.push({ module: top, alternative, pip: pipName(top) });
  }
  const network = modules.some((m) => NETWORK_MODULES.some((n) => m === n || m.startsWith(`${n}.`)));
  return { missing, network };
}

/** A distribution name as pip compares them (PEP 503). */
function canonical(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The script environment as the model reads it: a separate block appended to a system prompt. */
export function environmentBlock(env: ScriptEnvironmentInfo): string {
  const ranked = [...env.packages].sort(
    (a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name),
  );
  const shown = ranked.slice(0, PROMPT_PACKAGES).map((p) => (p.version ? `${p.name} ${p.version}` : p.name));
  const more = ranked.length > PROMPT_PACKAGES ? ` (and ${ranked.length - PROMPT_PACKAGES} more)` : '';
  return [
    '--- script environment ---',
    `The script runs with Python ${env.python}: the standard library plus ONLY these third-party packages (import names): ${shown.join(', ') || 'none'}${more}.`,
    'Runs have no network access. Charts: matplotlib runs headless; save figures to PNG files (plt.savefig) and they are posted as images. Files the script writes are sent back.',
    'Design with what is installed. If the goal truly needs another package, still name it in imports: the person is asked before any code is written.',
    '--- end script environment ---',
  ].join('\n');
}

function rank(name: string): number {
  const i = WELL_KNOWN.indexOf(name);
  return i < 0 ? WELL_KNOWN.length : i;
}

/** "polars", "polars and seaborn". */
function names(missing: readonly MissingPackage[]): string {
  const list = missing.map((m) => m.module);
  return list.length <= 1 ? list.join('') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/** The exact command an admin runs on the ff2 host. */
export function installCommand(missing: readonly MissingPackage[]): string {
  return `ff2 python add ${missing.map((m) => m.pip).join(' ')}`;
}

export const NETWORK_NOTE =
  'Note: scripts run without network access, so requests/HTTP calls cannot reach any server during a run. Attach the data as a file (or have the script read it from a file) to test it here.';

/** The buttons that settle missing packages. */
function choiceButtons(missing: readonly MissingPackage[], canInstall: boolean): DraftButton[][] {
  const first: DraftButton[] = [
    { action: 'pkg_stdlib', label: 'Use the standard library instead', style: 'primary' },
  ];
  for (const m of missing.slice(0, 3)) {
    if (m.alternative)
      first.push({
        action: 'pkg_alt',
        label: `Use ${m.alternative} instead of ${m.module}`,
        value: m.module,
      });
  }
  const second: DraftButton[] = [];
  if (canInstall)
    second.push({ action: 'pkg_admin', label: `Ask an admin to install ${names(missing)}`.slice(0, 70) });
  second.push({ action: 'edit', label: 'Edit' }, CANCEL);
  return [first, second];
}

/** Why the choice is needed, and what is installed. */
function missingText(missing: readonly MissingPackage[], env: ScriptEnvironmentInfo, where: string): string {
  const one = missing.length === 1;
  const have = env.packages
    .map((p) => p.name)
    .filter((n) => WELL_KNOWN.includes(n))
    .join(', ');
  return `⚠ ${where} ${names(missing)}, which ${one ? 'is' : 'are'} not installed in the script environment (Python ${env.python}${have ? ` with ${have}` : ''}).`;
}

/** The outline gate: the outline for approval, or, when a package is missing, the choices first. */
export function outlineGateDraft(
  outline: Outline,
  revised: boolean,
  report: PackageReport,
  env: ScriptEnvironmentInfo,
  canInstall: boolean,
): Draft {
  if (report.missing.length === 0) {
    const draft = outlineDraft(outline, revised);
    if (report.network)
      draft.text = draft.text.replace(/\n\nApprove it/, `\n\n${NETWORK_NOTE}\n\nApprove it`);
    return draft;
  }
  const lines = [
    outlineText(outline),
    '',
    `${missingText(report.missing, env, 'This design imports')} Nothing is written until you choose how to go on.`,
  ];
  if (report.network) lines.push(NETWORK_NOTE);
  return {
    title: revised ? 'Revised outline: a package is missing' : 'Outline: a package is missing',
    text: lines.join('\n'),
    buttons: choiceButtons(report.missing, canInstall),
  };
}

/** The same choices when the code (QA) or a run (repair) needs a package that is not installed. */
export function missingInScriptDraft(
  missing: readonly MissingPackage[],
  env: ScriptEnvironmentInfo,
  canInstall: boolean,
  how: 'imports' | 'run',
): Draft {
  const where = how === 'run' ? 'The run failed: the script needs' : 'The script imports';
  return {
    title: 'A package is missing',
    text: `${missingText(missing, env, where)}\nRewriting only the import line would not make the script work: choose how the design changes, and the script is written again from it.`,
    buttons: choiceButtons(missing, canInstall),
  };
}

/** Session fields a package check sets. */
export function packageState(report: PackageReport, canInstall: boolean): Partial<SessionState> {
  return {
    missingPackages: report.missing,
    installCommand: canInstall && report.missing.length > 0 ? installCommand(report.missing) : null,
  };
}

/**
 * The outline gate's package choices, and Approve held back while a package is missing.
 * Undefined when the input is not about packages (the gate goes on as usual).
 */
export function packageGate(
  state: SessionState,
  input: GateInput,
  options: GateOptions,
): GateOutcome | undefined {
  if (input.kind !== 'action') return undefined;
  const missing = state.missingPackages;
  if (input.action === 'approve' && missing.length > 0) {
    return {
      kind: 'reply',
      text: `${names(missing)} ${missing.length === 1 ? 'is' : 'are'} not installed: choose one of the options above, or reply with a change.`,
    };
  }
  if (!input.action.startsWith('pkg_')) return undefined;
  const stale: GateOutcome = { kind: 'reply', text: STALE };
  const revise = (feedback: string, text: string): GateOutcome => ({
    kind: 'advance',
    result: 'edit',
    state: { ...state, feedback, missingPackages: [], installCommand: null },
    messages: [{ text }],
  });
  switch (input.action) {
    case 'pkg_stdlib':
      if (missing.length === 0) return stale;
      return revise(
        `Do not use ${names(missing)}: not installed in the sandbox. Replace ${missing.length === 1 ? 'it' : 'them'} with the Python standard library (keep the other imports that are installed), remove ${names(missing)} from the imports, and adjust the functions and main flow to match.`,
        `Revising the outline to use the standard library instead of ${names(missing)}…`,
      );
    case 'pkg_alt': {
      const m = missing.find((x) => x.module === input.value && x.alternative);
      if (!m?.alternative) return stale;
      return revise(
        `Use ${m.alternative} (installed) instead of ${m.module} (not installed in the sandbox): replace ${m.module} in the imports with ${m.alternative}, and rewrite the functions that used ${m.module} with ${m.alternative}.`,
        `Revising the outline to use ${m.alternative} instead of ${m.module}…`,
      );
    }
    case 'pkg_admin':
      if (!state.installCommand) return stale;
      if (!options.approver)
        return {
          kind: 'reply',
          text: 'Only an approver can ask an admin to install a package. Choose another option, or ask an approver.',
        };
      return {
        kind: 'advance',
        result: 'stay',
        state,
        messages: [
          {
            title: 'Package request',
            text: `${options.actor} asks an admin to install ${names(missing)} for scripts. On the ff2 host, run:\n\`\`\`\n${state.installCommand}\n\`\`\`\nThen click "Check again". Sessions never install packages themselves.`,
            buttons: [
              [
                { action: 'pkg_recheck', label: 'Check again', style: 'primary' },
                { action: 'pkg_stdlib', label: 'Use the standard library instead' },
                CANCEL,
              ],
            ],
          },
        ],
      };
    case 'pkg_recheck':
      if (missing.length === 0) return stale;
      // An empty edit makes revise_outline check the environment again without asking the model.
      return revise('', `Checking the script environment again for ${names(missing)}…`);
  }
  return stale;
}
