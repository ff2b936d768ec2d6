import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** A slot's fixed part of a run: who runs it, where, under which filter and cgroups. */
export interface SlotSpec {
  helper: string;
  uid: number;
  workDir: string;
  seccomp: string | null;
  cgroupProcs: readonly string[];
}

/** What changes from run to run. */
export interface RunSpec {
  timeoutMs: number;
  workDirBytes: number;
  workDirInodes: number;
  rlimits: readonly string[];
  /** bwrap and its arguments. */
  command: readonly string[];
  /** Files written into the fresh work area before the run (validated plain names). */
  inputs: ReadonlyMap<string, Uint8Array>;
  stdin: string;
  maxOutputBytes: number;
  /** Keep fd 3 open into the sandbox and collect it (the GUI screenshot). */
  gui: boolean;
  signal?: AbortSignal;
}

export interface HelperOutcome {
  stdout: Uint8Array;
  stderr: Uint8Array;
  fd3: Uint8Array | null;
  exitCode: number | null;
  /** Signal number that ended bwrap (its command's death shows as exit 128+N instead). */
  signal: number | null;
  timedOut: boolean;
  canceled: boolean;
  maxBuffer: boolean;
  /** Processes of the UID the helper could not kill; > 0 means the slot is unusable. */
  left: number;
  /** The helper itself failed to start the run: a host problem. */
  error: string | null;
  /** The helper did not answer in time and was killed (it may have left processes). */
  abandoned: boolean;
  /** ms the helper spent on the work area, in the sandbox, and ending the run. */
  times: { prep: number; sandbox: number; teardown: number } | null;
}

/** After the wall limit, how long the helper gets to report before it is given up. */
const STOP_GRACE_MS = 700;
const FD3_MAX = 32 * 1024 * 1024;
const CTL_FD = 4;

/**
 * One `ff2-sandbox run` helper, spawned ahead of its run (see native/ff2-sandbox.c): by the time
 * a run comes, its process is up and in the slot's cgroup. The wall limit is enforced by the
 * helper (a root process the script cannot touch); this side only asks it to stop early (output
 * cap, cancel) and, as a backstop, abandons a helper that has not reported by timeout +
 * STOP_GRACE_MS. Never waits on a pipe after the helper is gone: a stream still open is destroyed.
 */
export class HelperProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private report = '';
  private readonly stdout = new Capture();
  private readonly stderr = new Capture();
  private readonly fd3 = new Capture();
  private used = false;

  constructor(readonly spec: SlotSpec) {
    const args = ['run', '--uid', String(spec.uid), '--ppid', String(process.pid), '--ctl', String(CTL_FD)];
    args.push('--workdir', spec.workDir);
    if (spec.seccomp) args.push('--seccomp', spec.seccomp);
    for (const procs of spec.cgroupProcs) args.push('--cgroup', procs);
    this.child = spawn(spec.helper, args, {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: {},
      cwd: '/',
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (error) => {
        this.report += `error ${error.message}\n`;
        resolve();
      });
    });
    this.stdout.attach(this.child.stdout!);
    this.stderr.attach(this.child.stderr!);
    this.fd3.attach(this.child.stdio[3] as Readable);
    const ctl = this.ctl;
    ctl.setEncoding('utf8');
    ctl.on('data', (text: string) => {
      this.report += text;
    });
    for (const stream of this.streams()) stream.on('error', () => {});
    this.child.stdin!.on('error', () => {});
    this.setRef(false);
  }

  /** Whether this helper can still take a run (not used, not dead, same slot set-up). */
  fits(spec: SlotSpec): boolean {
    return (
      !this.used &&
      this.child.exitCode === null &&
      this.child.signalCode === null &&
      spec.uid === this.spec.uid &&
      spec.cgroupProcs.join('\n') === this.spec.cgroupProcs.join('\n')
    );
  }

  /** Ends an unused helper (it exits when its control stream closes). */
  dispose(): Promise<void> {
    if (!this.used) {
      this.used = true;
      this.setRef(true); // awaited: keep ff2 alive until it is gone
      this.ctl.end();
      this.child.stdin?.end();
    }
    return this.exited;
  }

  run(run: RunSpec): Promise<HelperOutcome> {
    if (this.used) throw new Error('a sandbox helper runs once');
    this.used = true;
    this.setRef(true);
    const out = emptyOutcome(run.gui);
    this.stdout.max = run.maxOutputBytes;
    this.stderr.max = run.maxOutputBytes;
    this.fd3.max = run.gui ? FD3_MAX : 0;
    let stopAsked = false;
    const stop = () => {
      if (stopAsked) return;
      stopAsked = true;
      this.child.kill('SIGTERM');
    };
    const overflow = () => {
      out.maxBuffer = true;
      stop();
    };
    this.stdout.onOver = overflow;
    this.stderr.onOver = overflow;
    const onAbort = () => {
      out.canceled = true;
      stop();
    };
    if (run.signal?.aborted) onAbort();
    else run.signal?.addEventListener('abort', onAbort, { once: true });
    this.child.stdin!.end(run.stdin);
    this.ctl.end(Buffer.concat([frame('/config', configOf(run)), framesOf(run.inputs)]));

    return new Promise<HelperOutcome>((resolve) => {
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(backstop);
        run.signal?.removeEventListener('abort', onAbort);
        // Whatever is still open now is held by something that must not delay the answer.
        for (const stream of this.streams()) stream.destroy();
        this.setRef(false);
        out.stdout = this.stdout.bytes();
        out.stderr = this.stderr.bytes();
        if (run.gui) out.fd3 = this.fd3.bytes();
        parseReport(this.report, out);
        resolve(out);
      };
      const backstop = setTimeout(() => {
        out.abandoned = true;
        this.child.kill('SIGKILL');
        finish();
      }, run.timeoutMs + STOP_GRACE_MS);
      // Done when every stream has ended: the run's output is read to its end and the report is
      // complete (the helper ends ctl only after reaping every process of the run). Once the
      // helper has exited, a stream still open is not waited for long.
      const open = new Set(this.streams().filter((s) => !s.readableEnded && !s.destroyed));
      for (const stream of open)
        stream.once('close', () => {
          open.delete(stream);
          if (open.size === 0) finish();
        });
      if (open.size === 0) finish();
      void this.exited.then(() => setTimeout(finish, 200).unref());
    });
  }

  private get ctl(): Socket {
    return this.child.stdio[CTL_FD] as Socket;
  }

  private streams(): Readable[] {
    return [this.child.stdout!, this.child.stderr!, this.child.stdio[3] as Readable, this.ctl];
  }

  /** A waiting helper never keeps ff2 alive; one with a run in flight does. */
  private setRef(on: boolean): void {
    if (on) this.child.ref();
    else this.child.unref();
    for (const stream of [...this.streams(), this.child.stdin]) {
      const handle = stream as unknown as { ref?: () => void; unref?: () => void };
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  }
}

function configOf(run: RunSpec): Buffer {
  const tokens = [
    '--timeout-ms',
    String(Math.max(1, Math.round(run.timeoutMs))),
    '--size',
    String(run.workDirBytes),
    '--inodes',
    String(run.workDirInodes),
  ];
  for (const limit of run.rlimits) tokens.push('--rlimit', limit);
  if (run.gui) tokens.push('--gui');
  tokens.push('--', ...run.command);
  return Buffer.from(`${tokens.join('\0')}\0`, 'utf8');
}

/** Frames: u32 name length, name, u64 data length, data (little-endian, as the helper reads them). */
export function frame(name: string, data: Uint8Array): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const head = Buffer.alloc(4 + nameBytes.length + 8);
  head.writeUInt32LE(nameBytes.length, 0);
  nameBytes.copy(head, 4);
  head.writeBigUInt64LE(BigInt(data.length), 4 + nameBytes.length);
  return Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

function framesOf(inputs: ReadonlyMap<string, Uint8Array>): Buffer {
  return Buffer.concat([...inputs].map(([name, data]) => frame(name, data)));
}

function emptyOutcome(gui: boolean): HelperOutcome {
  return {
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    fd3: gui ? new Uint8Array(0) : null,
    exitCode: null,
    signal: null,
    timedOut: false,
    canceled: false,
    maxBuffer: false,
    left: 0,
    error: null,
    abandoned: false,
    times: null,
  };
}

function parseReport(report: string, out: HelperOutcome): void {
  for (const line of report.split('\n')) {
    const [word, ...rest] = line.split(' ');
    const value = rest.join(' ');
    if (word === 'timeout') out.timedOut = true;
    else if (word === 'left') out.left = Number(value);
    else if (word === 'exit') out.exitCode = Number(value);
    else if (word === 'signal') out.signal = Number(value);
    else if (word === 'error') out.error = value;
    else if (word === 'times') {
      const [prep, sandbox, teardown] = rest.map((us) => Number(us) / 1000);
      out.times = { prep: prep ?? 0, sandbox: sandbox ?? 0, teardown: teardown ?? 0 };
    }
  }
  if (out.abandoned && !out.canceled && !out.maxBuffer) out.timedOut = true;
}

/**
 * Keeps the first `max` bytes of a stream (plus 4, so that a UTF-8 cut can see the next byte);
 * calls onOver once when more than `max` arrive.
 */
class Capture {
  max = 0;
  onOver: () => void = () => {};
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  attach(stream: Readable): void {
    stream.on('data', (chunk: Buffer) => {
      if (this.kept < this.max + 4) {
        const keep = chunk.subarray(0, this.max + 4 - this.kept);
        this.chunks.push(keep);
        this.kept += keep.length;
      }
      const before = this.total;
      this.total += chunk.length;
      if (before <= this.max && this.total > this.max) this.onOver();
    });
  }

  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks, this.kept));
  }
}
