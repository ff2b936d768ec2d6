import { chown, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { SandboxError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { bwrapArgs } from './bwrap-args.js';
import { SlotCgroups } from './cgroup.js';
import { collectOutputs } from './collect.js';
import { GUI_PACKAGES, guiCommand, guiEnv, missingGuiTools, screenshotFrom } from './gui.js';
import { launch } from './launch.js';
import { dumpAfterSeconds, prlimitArgs, resolveLimits, watchdogSeconds } from './limits.js';
import { assertHostReady, siteCustomizeTarget } from './probe.js';
import { killOrphans, waitUntilGone } from './reap.js';
import { prepareScriptEnv, type ScriptEnvLayout } from './script-env.js';
import { type Slot, SlotPool } from './slots.js';
import { classify, signalOf } from './status.js';
import { parseTraceback } from './traceback.js';
import type { Limits, RunRequest, RunResult, Sandbox, SandboxCheck } from './types.js';
import { capUtf8 } from './utf8.js';
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
  /** First unprivileged UID; slot i runs as uidBase + i. Default 61001. */
  uidBase?: number;
  bwrapPath?: string;
  prlimitPath?: string;
  /** Where the per-slot work areas are mounted. Default os.tmpdir(). */
  workRoot?: string;
  /**
   * Put each slot in a memory + pids cgroup so that all of a run's processes share one budget
   * (RLIMIT_AS is per process). Off by default: joining a cgroup costs 5–10 ms per run on
   * cgroup v1 hosts, more than the rest of the sandbox. Ignored where cgroups are not writable.
   */
  cgroup?: boolean;
  logger?: Logger;
}

const ASSETS = {
  'sandbox_site.py': new URL('../python/sandbox_site.py', import.meta.url),
  'gui_driver.py': new URL('../python/gui_driver.py', import.meta.url),
};

/**
 * Runs Python under bubblewrap + prlimit, one unprivileged UID per concurrent run (SANDBOX.md).
 * Every outcome of the script is a RunResult; only an unusable host throws SandboxError.
 */
export class ProcessSandbox implements Sandbox {
  private readonly pool: SlotPool;
  private readonly areas: WorkAreas;
  private readonly cgroups = new SlotCgroups();
  private readonly tools: { bwrap: string; prlimit: string; setpriv: string; python: string };
  private readonly logger: Logger;
  private site: Promise<string | null> | null = null;
  private scriptEnv: Promise<ScriptEnvLayout> | null = null;

  constructor(private readonly config: ProcessSandboxConfig) {
    this.pool = new SlotPool(Math.max(1, config.slots), config.uidBase ?? 61001);
    this.areas = new WorkAreas(config.workRoot, ASSETS);
    this.tools = {
      bwrap: config.bwrapPath ?? '/usr/bin/bwrap',
      prlimit: config.prlimitPath ?? '/usr/bin/prlimit',
      setpriv: '/usr/bin/setpriv',
      python: config.python,
    };
    this.logger = config.logger ?? silentLogger;
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
    const limits = resolveLimits(this.config.limits, request.limits, gui);
    if (!this.scriptEnv) {
      const env = this.areas
        .prepare()
        .then(() => prepareScriptEnv(this.config, dirname(this.areas.asset('sandbox_site.py'))));
      this.scriptEnv = env;
      env.catch(() => {
        if (this.scriptEnv === env) this.scriptEnv = null;
      });
    }
    const scriptEnv = await this.scriptEnv;
    if (!this.site) this.site = siteCustomizeTarget(scriptEnv.interpreter);
    const siteTarget = await this.site;
    const forRun = await scriptEnv.forRun(request.script, gui);
    let slot: Slot;
    try {
      slot = await this.pool.acquire(request.signal);
    } catch {
      return emptyResult('killed');
    }
    try {
      return await this.runInSlot(slot, request, limits, siteTarget, {
        ...forRun,
        interpreter: scriptEnv.interpreter,
      });
    } finally {
      this.pool.release(slot);
    }
  }

  private async runInSlot(
    slot: Slot,
    request: RunRequest,
    limits: Limits,
    siteTarget: string | null,
    scriptEnv: RunScriptEnv,
  ): Promise<RunResult> {
    const gui = request.gui === true;
    // A bot that died mid-start can leave its run behind on this UID; end it before reuse.
    if ((await killOrphans(slot.uid)) > 0) {
      this.logger.warn('ended sandbox processes left by a dead bot', { uid: slot.uid });
      await waitUntilGone(slot.uid);
    }
    const dir = await this.areas.slotDir(slot.index, slot.uid, limits.workDirBytes);
    try {
      const written = await writeInputs(dir, slot.uid, request);
      const layout = {
        workDir: dir,
        siteFile: siteTarget ? this.areas.asset('sandbox_site.py') : null,
        siteTarget,
        guiDriver: gui ? this.areas.asset('gui_driver.py') : null,
        roBinds: scriptEnv.roBinds,
        env: {
          ...scriptEnv.env,
          ...(gui
            ? guiEnv(limits.timeoutMs)
            : { FF2_DUMP_AFTER_S: dumpAfterSeconds(limits.timeoutMs).toFixed(2) }),
          FF2_WATCHDOG_S: watchdogSeconds(limits.timeoutMs).toFixed(2),
        },
      };
      const inner = gui
        ? guiCommand(scriptEnv.interpreter, request.args ?? [])
        : [scriptEnv.interpreter, '-I', '-X', 'faulthandler', 'main.py', ...(request.args ?? [])];
      // The whole run (processes and its tmpfs pages) shares one memory and pids budget.
      const budget = limits.memoryMb * 1024 * 1024 + limits.workDirBytes + 80 * 1024 * 1024;
      const grouped =
        this.config.cgroup === true && (await this.cgroups.prepare(slot.index, budget, limits.maxProcesses));
      const procs = grouped ? this.cgroups.procsFiles(slot.index) : [];
      const chain = launch(this.tools, slot.uid, procs, prlimitArgs(limits), [
        ...bwrapArgs(layout),
        ...inner,
      ]);
      const started = performance.now();
      const result = await execa(chain.file, chain.args, {
        ...(chain.uid === null ? {} : { uid: chain.uid, gid: chain.uid }),
        cwd: '/',
        input: request.stdin ?? '',
        timeout: limits.timeoutMs,
        killSignal: 'SIGKILL',
        forceKillAfterDelay: false,
        maxBuffer: { stdout: limits.maxOutputBytes, stderr: limits.maxOutputBytes, fd3: 32 * 1024 * 1024 },
        encoding: 'buffer',
        stripFinalNewline: false,
        reject: false,
        extendEnv: false,
        env: {},
        stdio: gui ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
        ...(request.signal ? { cancelSignal: request.signal } : {}),
      });
      const durationMs = Math.round(performance.now() - started);
      const stdout = capUtf8(result.stdout as Uint8Array, limits.maxOutputBytes);
      const stderr = capUtf8(result.stderr as Uint8Array, limits.maxOutputBytes);
      const traceback = parseTraceback(stderr.text);
      const screenshot = gui ? screenshotFrom(result.stdio[3] as Uint8Array | undefined) : null;
      const exitCode = result.exitCode ?? null;
      const signal = signalOf(exitCode, result.signal ?? null);
      if (result.timedOut || result.isCanceled || result.isMaxBuffer || signal) {
        // Killed sandboxes are torn down asynchronously: reuse the slot's UID only once it is empty.
        if (!(await waitUntilGone(slot.uid)))
          this.logger.warn('sandbox processes outlived their run', { uid: slot.uid });
      }
      const oomKilled = grouped && (await this.cgroups.oomKilledSinceLast(slot.index));
      const status = classify({
        oomKilled,
        timedOut: result.timedOut,
        canceled: result.isCanceled,
        maxBuffer: result.isMaxBuffer,
        exitCode,
        signal,
        traceback,
        screenshot: screenshot !== null,
      });
      const outputFiles = await collectOutputs(
        dir,
        { maxFiles: limits.maxOutputFiles, maxBytes: limits.maxOutputFilesBytes },
        written,
      );
      this.logger.debug('sandbox run finished', { slot: slot.index, status, exitCode, durationMs });
      return {
        status,
        exitCode,
        signal,
        durationMs,
        stdout: stdout.text,
        stderr: stderr.text,
        truncated: stdout.truncated || stderr.truncated || result.isMaxBuffer,
        traceback,
        outputFiles,
        screenshot,
      };
    } finally {
      await this.areas.empty(dir);
    }
  }

  /** A process that cannot be put in its cgroup does not run unbounded: it is killed. */
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

  /** Unmounts the work areas. Runs still in flight must have finished. */
  async close(): Promise<void> {
    await this.areas.close();
    await this.cgroups.close();
  }
}

/** The script environment of one run: interpreter, read-only binds, extra variables. */
interface RunScriptEnv {
  interpreter: string;
  roBinds: [string, string][];
  env: Record<string, string>;
}

/** Writes main.py and the input files, owned by the slot's UID; returns what was written. */
async function writeInputs(dir: string, uid: number, request: RunRequest): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>([['main.py', new TextEncoder().encode(request.script)]]);
  for (const [name, data] of Object.entries(request.inputFiles ?? {})) {
    if (!/^[^/\\\0]+$/.test(name) || name === '.' || name === '..' || name === 'main.py') {
      throw new SandboxError(`input file name "${name}" is not a plain file name (and not main.py)`);
    }
    files.set(name, data);
  }
  for (const [name, data] of files) {
    const path = join(dir, name);
    await writeFile(path, data, { mode: 0o644 });
    await chown(path, uid, uid);
  }
  return files;
}

function emptyResult(status: RunResult['status']): RunResult {
  return {
    status,
    exitCode: null,
    signal: null,
    durationMs: 0,
    stdout: '',
    stderr: '',
    truncated: false,
    traceback: null,
    outputFiles: [],
    screenshot: null,
  };
}
