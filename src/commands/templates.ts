import { loadConfig } from '../config.js';
import { loadTemplates, summaryOf } from '../templates/loader.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

const USAGE = `Usage: ff2 templates [--json]

Lists the templates a session can start from: the shipped ones and the operator's own
(FF2_TEMPLATES_DIR). Start one with ff2 chat --from <name> "<goal>" or /ff2 from:<name> <goal>.

  --json   print [{name, description, runMode, tags}] as JSON`;

/** `ff2 templates [--json]`: the template catalog; folders that are not valid templates go to stderr. */
export const templatesCommand: Command = {
  name: 'templates',
  summary: 'list the templates a session can start from',
  usage: USAGE,
  async run(args, io) {
    const json =
      parseCommandArgs({ args, options: { json: { type: 'boolean' } }, strict: true }).values.json === true;
    const config = loadConfig(io.env, io.cwd, { platforms: false });
    const catalog = loadTemplates(config.pipeline.templatesDir);
    for (const p of catalog.problems) io.err(`ff2 templates: skipped ${p.dir}: ${p.problem}\n`);
    if (json) {
      io.out(`${JSON.stringify(catalog.templates.map(summaryOf), null, 2)}\n`);
      return 0;
    }
    if (catalog.templates.length === 0) {
      io.out('No templates are installed.\n');
      return 0;
    }
    const width = Math.max(...catalog.templates.map((t) => t.name.length));
    for (const t of catalog.templates) {
      const origin = t.origin === 'operator' ? ' [operator]' : '';
      io.out(`${t.name.padEnd(width)}  ${t.runMode.padEnd(3)}  ${t.description}${origin}\n`);
    }
    io.out('\nStart one with: ff2 chat --from <name> "<goal>"\n');
    return 0;
  },
};
