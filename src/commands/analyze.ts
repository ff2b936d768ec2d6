import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { createToolchain } from '../python/create.js';
import type { Analysis } from '../python/types.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'show the sections, undefined names, placeholders and imports of a Python script',
  usage: `Usage: ff2 analyze <script.py> [--json]

Parses a Python script (never runs it) and lists its sections with line spans, syntax errors,
undefined names, duplicate definitions, placeholders, and whether each import is available in
the sandbox's interpreter.

  --json   print { "syntaxError", "sections", "undefinedNames", "duplicates", "placeholders", "imports" }`,
  async run(args, io) {
    const parsed = parseCommandArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const [file, ...extra] = parsed.positionals;
    if (!file) throw new UsageError('missing the script to analyse');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const path = resolve(io.cwd, file);
    const source = decodeSource(
      await readFile(path).catch(() => {
        throw new UsageError(`cannot read ${path}`);
      }),
    );
    const analysis = await createToolchain(loadConfig(io.env, io.cwd, { platforms: false })).analyze(source);
    const report = toJson(analysis);
    io.out(parsed.values.json ? `${JSON.stringify(report)}\n` : summary(report));
    return 0;
  },
};

/**
 * Source bytes as Python reads them: UTF-8 (a BOM is dropped), or the encoding a PEP 263 coding
 * line in the first two lines names when the bytes are not UTF-8.
 */
export function decodeSource(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 400)).split('\n').slice(0, 2).join('\n');
    const label = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m.exec(head)?.[1];
    try {
      return new TextDecoder(label ?? 'utf-8').decode(bytes);
    } catch {
      return new TextDecoder('utf-8').decode(bytes);
    }
  }
}

/** The documented `--json` shape, keys in this order and no others. */
export function toJson(a: Analysis) {
  return {
    syntaxError: a.syntaxError && {
      line: a.syntaxError.line,
      col: a.syntaxError.col,
      message: a.syntaxError.message,
    },
    sections: a.sections.map((s) => ({
      kind: s.kind,
      name: s.name,
      startLine: s.startLine,
      endLine: s.endLine,
    })),
    undefinedNames: a.undefinedNames.map((u) => ({ name: u.name, line: u.line })),
    duplicates: [...a.duplicates],
    placeholders: a.placeholders.map((p) => ({ name: p.name, line: p.line, kind: p.kind })),
    imports: a.imports.map((i) => ({ module: i.module, line: i.line, available: i.available })),
  };
}

function summary(r: ReturnType<typeof toJson>): string {
  const lines: string[] = [];
  if (r.syntaxError)
    lines.push(`syntax error at ${r.syntaxError.line}:${r.syntaxError.col}: ${r.syntaxError.message}`);
  lines.push('sections:');
  for (const s of r.sections)
    lines.push(`  ${`${s.startLine}-${s.endLine}`.padEnd(9)} ${s.kind.padEnd(8)} ${s.name}`);
  for (const u of r.undefinedNames) lines.push(`undefined name: ${u.name} (line ${u.line})`);
  for (const d of r.duplicates) lines.push(`defined twice: ${d}`);
  for (const p of r.placeholders) lines.push(`placeholder: ${p.name} (line ${p.line}, ${p.kind})`);
  for (const i of r.imports)
    lines.push(
      `import ${i.module} (line ${i.line}): ${i.available ? 'available' : 'NOT available in the sandbox'}`,
    );
  return `${lines.join('\n')}\n`;
}
