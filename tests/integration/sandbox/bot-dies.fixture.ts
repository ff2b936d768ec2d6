// A stand-in for the bot: starts one long sandboxed run and waits; the test SIGKILLs this process.
import { readFileSync } from 'node:fs';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { TEST_LIMITS } from './helpers.js';

const uidBase = Number(process.argv[2]);
const timeoutMs = Number(process.argv[3]);
const script = process.argv[4] ? readFileSync(process.argv[4], 'utf8') : 'import time\ntime.sleep(600)\n';
const sandbox = new ProcessSandbox({
  python: '/usr/bin/python3',
  slots: 1,
  limits: { ...TEST_LIMITS, timeoutMs },
  uidBase,
});
await sandbox.run({ script });
