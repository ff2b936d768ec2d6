import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/io.js';

/** Runs `ff2 <args>` in-process with captured output, a closed stdin and no TTY. */
export async function runCliCaptured(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  stdin.end();
  const io: CliIo = {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    env,
    cwd,
    stdin,
    stdoutIsTTY: false,
  };
  return { code: await runCli(args, io), out, err };
}
