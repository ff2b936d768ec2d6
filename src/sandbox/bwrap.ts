import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { SandboxError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { bwrapArgs } from './bwrap-args.js';
import { SlotCgroups } from './cgroup.js';
import { GUI_PACKAGES, guiCommand, guiEnv, missingGuiTools } from './gui.js';
import { type SandboxHealth, sandboxHealth } from './health.js';
import { dumpAfterSeconds, resolveLimits, rlimitArgs, runMemoryBytes, workDirInodes } from './limits.js';
import { ensureHelper, type Helper } from './native.js';
import { SlotOwner } from './owner.js';
import { assertHostReady, siteCustomizeTarget } from './probe.js';
import { emptyResult, inputFiles, type RunSteps, steps } from './results.js';
import { type HelperOutcome, HelperProcess, type SlotSpec } from './runner.js';
import { prepareScriptEnv, type ScriptEnvLayout } from './script-env.js';
import { type Slot, SlotPool } from './slots.js';
import type { Limits, RunRequest, RunResult, Sandbox, SandboxCheck } from './types.js';

export type { SandboxHealth } from './health.js';
export type { RunSteps } from './results.js';

import { resultOf } from './run-result.js';
import { WorkAreas } from './workdir.js';

export interface ProcessSandboxConfig {
  /** Interpreter inside the sandbox; must live under /usr. */
  python: string;
  /** FF2_PYTHON_VENV: bound read-only at the same path; its interpreter runs the scripts. */
  venv?: string | undefined;
  /** Host folder of the script environment's first-import caches (built there when missing). */
  cacheDir?: string | undefined;
  /** Concurrent runs; more wait in a FIFO queue. */
  slots: number;
  /** Defaults for every run; a request may override each. */
  limits: Limits;
  /** Slot UIDs are claimed from here upwards, skipping those other ff2 processes hold. Default 61001. */
  uidBase?: number;
  bwrapPath?: string;
  /** Host-side state (locks, work-area mount points, bootstrap files). Default /run/ff2. */
  root?: string;
  /**
   * Put each run in its slot's memory + pids cgroup so that all of its processes share one
   * budget (RLIMIT_AS is per process). On by default; where cgroups are unusable runs go on
   * with per-process rlimits only and health() says why.
   */
  cgroup?: boolean;
  logger?: Logger;
}

const ASSETS = {
  'sandbox_site.py': new URL('../python/sandbox_site.py', import.meta.url),
  'gui_driver.py': new URL('../python/gui_driver.py', import.meta.url),
};

/**
 * Runs Python under bubblewrap, one unprivileged UID per concurrent run, through a small root
 * helper that gives every run a fresh capped tmpfs, a seccomp filter, rlimits and a cgroup,
 * enforces the wall limit and ends every process of the UID before it answers (SANDBOX.md).
 * Every outcome of the script is a RunResult; only an unusable host throws SandboxError.
 */
export class ProcessSandbox implements Sandbox {
  private readonly areas: WorkAreas;
  private readonly cgroups = new SlotCgroups();
  private readonly tools: { bwrap: string; python: string };
  private readonly logger: Logger;
  private site: Promise<string | null> | null = null;
  private scriptEnv: Promise<ScriptEnvLayout> | null = null;
  private owner: SlotOwner | null = null;
  private ready: Promise<{ pool: SlotPool; helper: Helper }> | null = null;
  private readonly retired = new Map<number, string>();
  private uids: number[] = [];
  /** Per slot UID, a helper started ahead of the slot's next run. */
  private readonly spares = new Map<number, HelperProcess>();
  private closing = false;
  /** Step costs of the last finished run. */
  lastSteps: RunSteps | null = null;

  constructor(private readonly config: ProcessSandboxConfig) {
    this.areas = new WorkAreas(config.root, ASSETS);
    this.tools = { bwrap: config.bwrapPath ?? '/usr/bin/bwrap', python: config.python };
    this.logger = config.logger ?? silentLogger;
  }

  /**
   * Claims the slot UIDs (host-wide), ending whatever a dead former owner left on them, and
   * builds the helper if needed. Runs call it; `ff2 serve` calls it at start.
   */
  start(): Promise<{ pool: SlotPool; helper: Helper }> {
    if (!this.ready) {
      this.ready = this.claim();
      this.ready.catch(() => {
        this.ready = null;
      });
    }
    return this.ready;
  }

  private async claim(): Promise<{ pool: SlotPool; helper: Helper }> {
    assertHostReady(this.tools);
    const helper = await ensureHelper();
    await this.areas.bootDir();
    const owner = new SlotOwner(helper.bin, this.areas.lockDir, this.areas.workRoot);
    const uids = await owner.claim(this.config.uidBase ?? 61001, Math.max(1, this.config.slots));
    this.owner = owner;
    this.uids = uids;
    if (uids[0] !== (this.config.uidBase ?? 61001))
      this.logger.info('sandbox UIDs in use by another ff2 process; using others', { uids });
    return { pool: new SlotPool(uids), helper };
  }

  async run(request: RunRequest): Promise<RunResult> {
    assertHostReady(this.tools);
    const gui = request.gui === true;
    if (gui && missingGuiTools().length > 0) {
      throw new SandboxError(
        `GUI tools missing: ${missingGuiTools().join(', ')}`,
        `apt-get install -y --no-install-recommends ${GUI_PACKAGES}`,
      );
    }
    const inputs = inputFiles(request);
    const limits = resolveLimits(this.config.limits, request.limits, gui);
    if (!this.scriptEnv) {
      const env = this.areas.bootDir().then((boot) => prepareScriptEnv(this.config, boot));
      this.scriptEnv = env;
      env.catch(() => {
        if (this.scriptEnv === env) this.scriptEnv = null;
      });
    }
    const scriptEnv = await this.scriptEnv;
    if (!this.site) this.site = siteCustomizeTarget(scriptEnv.interpreter);
    const siteTarget = await this.site;
    const runEnv: RunScriptEnv = {
      ...(await scriptEnv.forRun(request.script, gui)),
      interpreter: scriptEnv.interpreter,
    };
    const { pool, helper } = await this.start();
    let slot: Slot;
    try {
      slot = await pool.acquire(request.signal);
    } catch (error) {
      if (error instanceof SandboxError) throw error;
      return emptyResult('killed');
    }
    let retire: string | null = null;
    try {
      const result = await this.runInSlot(slot, helper, request, inputs, limits, siteTarget, runEnv);
      retire = result.retire;
      return result.result;
    } finally {
      if (retire) {
        pool.retire(slot);
        this.retired.set(slot.uid, retire);
        this.logger.error('sandbox slot quarantined: processes of its UID could not be killed', {
          uid: slot.uid,
          why: retire,
        });
        await writeFile(join(this.areas.lockDir, `${slot.uid}.quarantine`), `${retire}\n`).catch(() => {});
      } else pool.release(slot);
    }
  }

  private async runInSlot(
    slot: Slot,
    helper: Helper,
    request: RunRequest,
    inputs: Map<string, Uint8Array>,
    limits: Limits,
    siteTarget: string | null,
    scriptEnv: RunScriptEnv,
  ): Promise<{ result: RunResult; retire: string | null }> {
    const begun = performance.now();
    const gui = request.gui === true;
    const dir = await this.areas.slotDir(slot.uid);
    const layout = {
      workDir: dir,
      siteFile: siteTarget ? await this.areas.asset('sandbox_site.py') : null,
      siteTarget,
      guiDriver: gui ? await this.areas.asset('gui_driver.py') : null,
      roBinds: scriptEnv.roBinds,
      env: {
        ...scriptEnv.env,
        ...(gui
          ? guiEnv(limits.timeoutMs)
          : { FF2_DUMP_AFTER_S: dumpAfterSeconds(limits.timeoutMs).toFixed(2) }),
      },
    };
    const inner = gui
      ? guiCommand(scriptEnv.interpreter, request.args ?? [])
      : [scriptEnv.interpreter, '-I', '-X', 'faulthandler', 'main.py', ...(request.args ?? [])];
    const procs =
      this.config.cgroup === false
        ? null
        : await this.cgroups.prepare(slot.uid, runMemoryBytes(limits), limits.maxProcesses + 8);
    const spec: SlotSpec = {
      helper: helper.bin,
      uid: slot.uid,
      workDir: dir,
      seccomp: helper.seccomp,
      cgroupProcs: procs ?? [],
    };
    const process = this.takeSpare(spec);
    const launched = performance.now();
    const outcome = await process.run({
      timeoutMs: limits.timeoutMs,
      workDirBytes: limits.workDirBytes,
      workDirInodes: workDirInodes(limits),
      rlimits: rlimitArgs(limits),
      command: [this.tools.bwrap, ...bwrapArgs(layout), ...inner],
      inputs,
      stdin: request.stdin ?? '',
      maxOutputBytes: limits.maxOutputBytes,
      gui,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    // The slot's next helper starts now, while this run's outputs are collected.
    this.spawnSpare(spec);
    const ended = performance.now();
    const retire = await this.emptied(slot.uid, helper, outcome);
    if (outcome.error) {
      if (retire) return { result: emptyResult('killed'), retire };
      if (procs && /cgroup/.test(outcome.error)) {
        // Runs go on without the budget (doctor and serve say so) rather than not at all.
        this.cgroups.disable(outcome.error);
        this.logger.warn('sandbox cgroups unusable; runs are bounded per process only', {
          why: outcome.error,
        });
        return this.runInSlot(slot, helper, request, inputs, limits, siteTarget, scriptEnv);
      }
      throw new SandboxError(`the sandbox could not start the run: ${outcome.error}`, 'run ff2 doctor');
    }
    const oomKilled = procs !== null && (await this.cgroups.oomKilledSinceLast(slot.uid));
    const result = resultOf(outcome, { limits, gui, oomKilled, workDir: dir, inputs });
    const done = performance.now();
    this.lastSteps = steps(begun, launched, ended, done, outcome);
    result.durationMs = Math.round(ended - launched);
    this.logger.debug('sandbox run finished', {
      uid: slot.uid,
      status: result.status,
      exitCode: outcome.exitCode,
      durationMs: result.durationMs,
    });
    return { result, retire };
  }

  /** The slot's waiting helper when it fits, else a new one. */
  private takeSpare(spec: SlotSpec): HelperProcess {
    const spare = this.spares.get(spec.uid);
    this.spares.delete(spec.uid);
    if (spare?.fits(spec)) return spare;
    void spare?.dispose();
    return new HelperProcess(spec);
  }

  private spawnSpare(spec: SlotSpec): void {
    if (this.closing || this.spares.has(spec.uid)) return;
    this.spares.set(spec.uid, new HelperProcess(spec));
  }

  /**
   * The helper reaped the whole run before answering; only when it could not (or was abandoned)
   * is the UID emptied once more from here. Returns why the slot must be retired, or null.
   */
  private async emptied(uid: number, helper: Helper, outcome: HelperOutcome): Promise<string | null> {
    if (!outcome.abandoned && outcome.left === 0) return null;
    const kill = await execa(helper.bin, ['kill', String(uid)], { reject: false, env: {}, extendEnv: false });
    if (kill.exitCode === 0) return null;
    return `processes of uid ${uid} survived SIGKILL (${new Date().toISOString()})`;
  }

  /** seccomp filter, cgroup budgets and slot state, for ff2 doctor and ff2 serve. */
  async health(): Promise<SandboxHealth> {
    return sandboxHealth({
      run: (request) => this.run(request),
      proveCgroups: async () => {
        if (this.config.cgroup === false) return;
        // Proves the cgroups writable on a slot this process owns, with the default budget.
        const uid = await this.start().then(
          () => this.uids[0],
          () => undefined,
        );
        const limits = this.config.limits;
        if (uid !== undefined)
          await this.cgroups.prepare(uid, runMemoryBytes(limits), limits.maxProcesses + 8);
      },
      cgroup: () =>
        this.config.cgroup === false
          ? Promise.resolve({ ok: false, detail: 'per-run cgroup budgets are switched off in this sandbox' })
          : this.cgroups.status(),
      slots: this.config.slots,
      retired: this.retired,
    });
  }

  /** Whether runs are possible here: runs a trivial script (never throws). */
  async check(): Promise<SandboxCheck> {
    try {
      const result = await this.run({ script: 'print("sandbox ok")', limits: { timeoutMs: 10_000 } });
      if (result.status === 'ok' && result.stdout.trim() === 'sandbox ok') {
        return { ok: true, detail: `bubblewrap runs ${this.tools.python} in ${result.durationMs} ms` };
      }
      return {
        ok: false,
        detail: `a trivial sandboxed run ended ${result.status}: ${result.stderr.trim().slice(0, 300)}`,
        fix: 'run ff2 as root on a kernel with user namespaces; see ff2 doctor',
      };
    } catch (error) {
      if (error instanceof SandboxError)
        return { ok: false, detail: error.message, ...(error.fix ? { fix: error.fix } : {}) };
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** Gives the slot UIDs back: their processes are ended and work areas unmounted. No run may be in flight. */
  async close(): Promise<void> {
    this.closing = true;
    const spares = [...this.spares.values()];
    this.spares.clear();
    await Promise.all(spares.map((spare) => spare.dispose()));
    const owner = this.owner;
    this.owner = null;
    this.ready = null;
    await owner?.release();
    await this.cgroups.close();
    this.closing = false;
  }
}

/** The script environment of one run: interpreter, read-only binds, extra variables. */
interface RunScriptEnv {
  interpreter: string;
  roBinds: [string, string][];
  env: Record<string, string>;
}
