import { loadConfig } from '../config.js';
import { DOCTOR_CHECKS } from '../doctor/index.js';
import type { CheckResult } from '../doctor/types.js';
import { ConfigError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check that this machine can run ff2, with a fix for each problem',
  usage: `Usage: ff2 doctor [--json]

Checks Node.js, the database, and everything else ff2 needs here, and prints a fix
for each problem. Exit code 0 when every check passes, 1 otherwise.

  --json   print { "checks": [ { "name", "ok", "detail", "fix"? } ] }`,
  async run(args, io) {
    const { values } = parseCommandArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const checks: CheckResult[] = [];
    try {
      const config = loadConfig(io.env, io.cwd);
      checks.push({ name: 'config', ok: true, detail: `data dir ${config.dataDir}` });
      for (const check of DOCTOR_CHECKS) checks.push(await check.run(config));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      checks.push({
        name: 'config',
        ok: false,
        detail: error.message,
        fix: `fix ${error.variable} in the environment or ff2.config.json (see .env.example)`,
      });
    }
    if (values.json) {
      io.out(`${JSON.stringify({ checks })}\n`);
    } else {
      for (const c of checks) {
        io.out(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(10)} ${c.detail}\n`);
        if (!c.ok && c.fix) io.out(`      fix: ${c.fix}\n`);
      }
    }
    return checks.every((c) => c.ok) ? 0 : 1;
  },
};
