#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './commands/index.js';
import type { CliIo } from './commands/types.js';
import { ConfigError, describeError, LeaseHeldError, SandboxError, UsageError } from './errors.js';

/** Entry point of the `ff2` command. Returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out('ff2 0.1.0\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(
      `ff2: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\nRun "ff2 --help" for details.\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`ff2 ${command.name}: ${error.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      // A setting is wrong or missing: usage/config (2), never "environment unavailable".
      io.err(`ff2 ${command.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof SandboxError || error instanceof LeaseHeldError) {
      const fix = error instanceof SandboxError && error.fix ? `\nFix: ${error.fix}` : '';
      io.err(`ff2 ${command.name}: ${error.message}${fix}\n`);
      return 3;
    }
    io.err(`ff2 ${command.name}: unexpected error: ${describeError(error)}\n`);
    if (io.env.FF2_LOG_LEVEL === 'debug' && error instanceof Error) io.err(`${error.stack}\n`);
    return 1;
  }
}

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'ff2 — turns a goal typed in a chat thread into a working, tested Python script.',
    '',
    'Usage: ff2 <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "ff2 <command> --help" for a command\'s options.',
    '',
  ].join('\n');
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  };
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const code = await runCli(process.argv.slice(2), processIo());
  // Let stdout drain before exiting; long-running commands (chat, serve) resolve only when done.
  process.exitCode = code;
}
