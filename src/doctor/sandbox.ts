import { execa } from 'execa';
import type { Config } from '../config.js';
import type { SandboxHealth } from '../sandbox/bwrap.js';
import { createSandbox } from '../sandbox/create.js';
import { GUI_PACKAGES, missingGuiTools } from '../sandbox/gui.js';
import { slotsReport, UID_WINDOW } from '../sandbox/owner.js';
import { DEFAULT_SANDBOX_ROOT } from '../sandbox/workdir.js';
import type { CheckResult, DoctorCheck } from './types.js';

/** One sandbox per doctor run: the trivial run and the health report share its slots. */
const probes = new WeakMap<Readonly<Config>, Promise<{ run: CheckResult; health: SandboxHealth | null }>>();

function probe(config: Readonly<Config>) {
  let found = probes.get(config);
  if (!found) {
    found = (async () => {
      let sandbox: ReturnType<typeof createSandbox>;
      try {
        sandbox = createSandbox(config);
      } catch (error) {
        const fix = (error as { fix?: string }).fix;
        return {
          run: { name: 'sandbox', ok: false, detail: (error as Error).message, ...(fix ? { fix } : {}) },
          health: null,
        };
      }
      try {
        const check = await sandbox.check();
        const run = {
          name: 'sandbox',
          ok: check.ok,
          detail: check.detail,
          ...(check.fix ? { fix: check.fix } : {}),
        };
        return { run, health: check.ok ? await sandbox.health() : null };
      } finally {
        await sandbox.close();
      }
    })();
    probes.set(config, found);
  }
  return found;
}

/** bubblewrap is installed and a trivial script runs inside the sandbox. */
export const sandboxCheck: DoctorCheck = {
  name: 'sandbox',
  async run(config) {
    return (await probe(config)).run;
  },
};

/** The seccomp denylist is built and passed to every run. */
export const seccompCheck: DoctorCheck = {
  name: 'seccomp',
  async run(config) {
    const { health } = await probe(config);
    if (!health) return { name: 'seccomp', ok: false, detail: 'not checked: the sandbox does not run' };
    return { name: 'seccomp', ...health.seccomp };
  },
};

/** Memory and process budgets per run (cgroups); off means only per-process rlimits bound a run. */
export const cgroupCheck: DoctorCheck = {
  name: 'sandbox limits',
  async run(config) {
    const { health } = await probe(config);
    if (!health)
      return { name: 'sandbox limits', ok: false, detail: 'not checked: the sandbox does not run' };
    return { name: 'sandbox limits', ...health.cgroup };
  },
};

/** Slot UIDs on this host: held by other ff2 processes, quarantined, or with leftover processes. */
export const slotsCheck: DoctorCheck = {
  name: 'sandbox slots',
  async run(config) {
    const { health } = await probe(config);
    const base = config.sandbox.uidBase;
    const report = await slotsReport(`${DEFAULT_SANDBOX_ROOT}/locks`, base, UID_WINDOW);
    const problems: string[] = [];
    if (health && !health.slots.ok) problems.push(health.slots.detail);
    for (const q of report.quarantined) problems.push(`uid ${q.uid} quarantined: ${q.why}`);
    if (report.orphaned.length > 0)
      problems.push(
        `processes of unowned sandbox uids ${report.orphaned.join(', ')} (ended when next claimed)`,
      );
    const range = `${base}-${base + UID_WINDOW - 1}`;
    const held = report.held.length > 0 ? `; in use by running ff2 processes: ${report.held.join(', ')}` : '';
    if (problems.length === 0)
      return {
        name: 'sandbox slots',
        ok: true,
        detail: `${config.sandbox.slots} slot(s) from uid range ${range}${held}`,
      };
    return {
      name: 'sandbox slots',
      ok: false,
      detail: problems.join('; '),
      fix: `ps -o pid,stat,cmd -u <uid> shows what is stuck; processes in D state need a reboot; a quarantine marker under ${DEFAULT_SANDBOX_ROOT}/locks is cleared when the uid is next claimed empty`,
    };
  },
};

/** Xvfb, xwininfo, ImageMagick's import and tkinter are there for GUI scripts. */
export const guiToolsCheck: DoctorCheck = {
  name: 'gui tools',
  async run(config) {
    const missing = missingGuiTools();
    const tk = await execa(config.sandbox.python, ['-I', '-c', 'import tkinter'], {
      reject: false,
      extendEnv: false,
      env: {},
      timeout: 10_000,
    }).catch(() => null);
    if (tk?.exitCode !== 0) missing.push('tkinter');
    if (missing.length === 0)
      return { name: 'gui tools', ok: true, detail: 'Xvfb, xwininfo, import and tkinter present' };
    return {
      name: 'gui tools',
      ok: false,
      detail: `missing for GUI scripts: ${missing.join(', ')}`,
      fix: `apt-get install -y --no-install-recommends ${GUI_PACKAGES}`,
    };
  },
};
