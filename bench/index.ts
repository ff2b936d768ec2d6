/**
 * `npm run bench -- <name> [--json]`: runs one benchmark and prints its figures. The last line
 * is always one JSON object. Benchmarks report; they never fail on time.
 */
import { BENCHES } from './registry.js';

const [name, ...rest] = process.argv.slice(2);
const json = rest.includes('--json');
const bench = name ? BENCHES[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [--json]\n`);
  process.exit(2);
}
const figures = await bench();
if (!json) {
  for (const [key, value] of Object.entries(figures)) process.stdout.write(`${key.padEnd(32)} ${value}\n`);
}
process.stdout.write(`${JSON.stringify({ bench: name, ...figures })}\n`);
process.exit(0);
