import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { chooseFixTarget, type FixTarget } from '../pipeline/fix-target.js';
import { createToolchain } from '../python/create.js';
import { createSandbox } from '../sandbox/create.js';
import type { RunResult } from '../sandbox/types.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

const USAGE = `Usage: ff2 sandbox run <script.py> [--stdin <file>] [--arg <value>]... [--input <file>]...
                       [--gui] [--timeout <seconds>] [--json]

Runs a Python script in ff2's sandbox (bubblewrap: no network, no secrets, limits) exactly as
a session would, and reports what happened and which section a repair would target.

  --stdin <file>       text given to the script on standard input (default: empty)
  --arg <value>        a command-line argument for the script (repeatable)
  --input <file>       a file copied into the script's working folder (repeatable)
  --gui                run under a private X server and save a screenshot of the first window
  --timeout <seconds>  wall-clock limit (default FF2_SANDBOX_TIMEOUT_S)
  --json               print one JSON object: status, exitCode, signal, durationMs, stdout, stderr,
                       truncated, traceback, fixTarget, outputFiles, screenshot

Exit code 0 when the sandbox worked, whatever the script did; 2 usage or a bad setting; 3 sandbox unavailable.`;

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'run a Python script in the sandbox and show the result (ff2 sandbox run script.py)',
  usage: USAGE,
  async run(args, io) {
    const options = parse(args);
    const config = loadConfig(io.env, io.cwd, { platforms: false });
    const scriptPath = resolve(io.cwd, options.script);
    const script = await readText(scriptPath, 'script');
    const stdin =
      options.stdin === undefined ? '' : await readText(resolve(io.cwd, options.stdin), '--stdin file');
    const inputFiles: Record<string, Uint8Array> = {};
    for (const file of options.inputs) {
      const data = await readFile(resolve(io.cwd, file)).catch(() => {
        throw new UsageError(`cannot read --input file ${file}`);
      });
      if (data.length > config.sandbox.maxInputBytes)
        throw new UsageError(`--input file ${file} is larger than FF2_MAX_INPUT_MB`);
      inputFiles[basename(file)] = new Uint8Array(data);
    }
    const sandbox = createSandbox(config);
    let result: RunResult;
    try {
      result = await sandbox.run({
        script,
        stdin,
        args: options.args,
        inputFiles,
        gui: options.gui,
        ...(options.timeoutMs ? { limits: { timeoutMs: options.timeoutMs } } : {}),
      });
    } finally {
      await sandbox.close();
    }
    const analysis = await createToolchain(config).analyze(script);
    const fixTarget = chooseFixTarget(analysis, result);
    const screenshot = result.screenshot
      ? await saveScreenshot(config.dataDir, scriptPath, result.screenshot)
      : null;
    const report = toJson(result, fixTarget, screenshot);
    io.out(options.json ? `${JSON.stringify(report)}\n` : summary(report));
    return 0;
  },
};

interface Options {
  script: string;
  stdin: string | undefined;
  args: string[];
  inputs: string[];
  gui: boolean;
  timeoutMs: number | undefined;
  json: boolean;
}

function parse(args: string[]): Options {
  const parsed = parseCommandArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  const [sub, script, ...extra] = parsed.positionals;
  if (sub !== 'run') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand "run"');
  if (!script) throw new UsageError('missing the script to run');
  if (extra.length > 0)
    throw new UsageError(`unexpected argument "${extra[0]}" (use --arg to pass arguments)`);
  const { values } = parsed;
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      throw new UsageError('--timeout must be a number of seconds between 0 and 3600');
    }
    timeoutMs = Math.round(seconds * 1000);
  }
  return {
    script,
    stdin: values.stdin,
    args: values.arg ?? [],
    inputs: values.input ?? [],
    gui: values.gui ?? false,
    timeoutMs,
    json: values.json ?? false,
  };
}

const OPTIONS = {
  stdin: { type: 'string' },
  arg: { type: 'string', multiple: true },
  input: { type: 'string', multiple: true },
  gui: { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the ${what} ${path}`);
  }
}

async function saveScreenshot(dataDir: string, scriptPath: string, png: Uint8Array): Promise<string> {
  const dir = join(dataDir, 'screenshots');
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const path = join(dir, `${basename(scriptPath, '.py')}-${stamp}.png`);
  await writeFile(path, png);
  return path;
}

/** The documented `--json` shape, keys in this order and no others. */
export function toJson(result: RunResult, fixTarget: FixTarget | null, screenshot: string | null) {
  return {
    status: result.status,
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    stdout: result.stdout,
    stderr: result.stderr,
    truncated: result.truncated,
    traceback: result.traceback && {
      type: result.traceback.type,
      message: result.traceback.message,
      frames: result.traceback.frames.map((f) => ({ file: f.file, line: f.line, function: f.function })),
    },
    fixTarget: fixTarget && { kind: fixTarget.kind, name: fixTarget.name, reason: fixTarget.reason },
    outputFiles: result.outputFiles.map((f) => ({ name: f.name, bytes: f.bytes })),
    screenshot,
  };
}

function summary(r: ReturnType<typeof toJson>): string {
  const exit = r.signal ? `signal ${r.signal}` : `exit ${r.exitCode ?? '?'}`;
  const lines = [
    `status: ${r.status} (${exit}) in ${r.durationMs} ms${r.truncated ? ', output truncated' : ''}`,
  ];
  if (r.stdout) lines.push('--- stdout ---', r.stdout.trimEnd());
  if (r.stderr) lines.push('--- stderr ---', r.stderr.trimEnd());
  if (r.fixTarget) lines.push(`fix target: ${r.fixTarget.kind} ${r.fixTarget.name}: ${r.fixTarget.reason}`);
  for (const f of r.outputFiles) lines.push(`output file: ${f.name} (${f.bytes} bytes)`);
  if (r.screenshot) lines.push(`screenshot: ${r.screenshot}`);
  return `${lines.join('\n')}\n`;
}
