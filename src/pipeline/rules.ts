/**
 * The rules of a sandbox run as the model must know them, and the checks of an outline against
 * them. Pure: the configuration's limits and the session's attachments in, prompt lines and
 * problems out. The package list comes from package discovery (issue 13); empty means "the
 * standard library only".
 */
import type { Outline, SessionState, SmokeCheck } from './types.js';

export interface RunRules {
  /** Wall-clock limit of one run, in seconds (FF2_SANDBOX_TIMEOUT_S). */
  wallSeconds: number;
  /** Memory limit of one run, in MB, when known. */
  memoryMb?: number;
  /** Packages importable besides the standard library, with versions; [] = standard library only. */
  packages: readonly { name: string; version: string }[];
}

export const DEFAULT_RUN_RULES: RunRules = { wallSeconds: 30, packages: [] };

export type Attachment = SessionState['attachments'][number];

/** Largest stdin or file a smoke check may carry (they are quick proofs, not data sets). */
const MAX_CHECK_BYTES = 20_000;

/** The rules, one line each, for the outline, generate, fix and change prompts. */
export function runRuleLines(rules: RunRules, attachments: readonly Attachment[]): string[] {
  const packages =
    rules.packages.length === 0
      ? 'Importable: the Python standard library only.'
      : `Importable: the Python standard library and ${rules.packages.map((p) => `${p.name} ${p.version}`).join(', ')}; nothing else can be installed.`;
  const files =
    attachments.length === 0
      ? 'No files are attached; a check that needs a file must bring it (smoke check "files").'
      : `Files attached by the person, in the working folder under these names: ${attachments.map((a) => a.name).join(', ')}.`;
  return [
    'Run rules: the script runs in a sandbox with NO network access (no HTTP, no sockets, no downloads).',
    `Each run must finish within ${rules.wallSeconds} seconds of wall-clock time${rules.memoryMb ? ` and ${rules.memoryMb} MB of memory` : ''}; then it is killed.`,
    'Standard input is empty unless a check or the person gives some: never wait for typing (no bare input()).',
    `The working folder is the script's own folder; write outputs there. ${files}`,
    'A GUI (tkinter) run is judged only by a screenshot of its first window after a short while: a GUI check cannot expect printed output.',
    packages,
  ];
}

/** The attached files as the model reads them: name, size and the first lines or a description. */
export function attachmentsText(attachments: readonly Attachment[]): string {
  return attachments.map((a) => `File ${a.name} (${a.size} bytes):\n${a.preview}`).join('\n\n');
}

/** What the model is told about one attached file: up to 2 KB / 20 lines of text, else a description. */
export function describeAttachment(name: string, bytes: Uint8Array): Attachment {
  const head = bytes.subarray(0, 2048);
  const binary = head.includes(0) || !isUtf8(head);
  if (binary) {
    const magic = Buffer.from(bytes.subarray(0, 8)).toString('hex');
    return { name, size: bytes.length, preview: `(binary file; first bytes ${magic})` };
  }
  const lines = new TextDecoder().decode(head).split('\n');
  const shown = lines.slice(0, 20).join('\n');
  const more = bytes.length > head.length || lines.length > 20 ? '\n… (more lines)' : '';
  return { name, size: bytes.length, preview: `${shown}${more}` };
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    // A multi-byte character cut at the 2 KB boundary is still text.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)));
    return true;
  } catch {
    return false;
  }
}

const URL = /\b(?:https?|ftp):\/\/|\bwww\.[a-z0-9-]+\.[a-z]/i;
const DURATION = /\b(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|hours?|h)\b/gi;

/** Why each smoke check breaks the run rules; [] when they all fit. */
export function checkProblems(
  checks: readonly SmokeCheck[],
  runMode: Outline['runMode'],
  rules: RunRules,
): string[] {
  const problems: string[] = [];
  checks.forEach((check, i) => {
    const which = `smoke check ${i + 1} ("${check.description.slice(0, 60)}")`;
    const text = [check.description, ...check.args, check.stdin, ...check.files.map((f) => f.content)].join(
      '\n',
    );
    if (URL.test(text)) problems.push(`${which} needs the network, which the sandbox does not have`);
    for (const m of check.description.matchAll(DURATION)) {
      const unit = m[2]!.toLowerCase();
      const seconds = Number(m[1]) * (unit.startsWith('h') ? 3600 : unit.startsWith('m') ? 60 : 1);
      if (seconds > rules.wallSeconds)
        problems.push(`${which} runs longer than the ${rules.wallSeconds} s limit of one run`);
    }
    if (runMode === 'gui' && check.expectOutput.length > 0)
      problems.push(`${which} expects printed output from a GUI run, which is judged by a screenshot only`);
    if (check.expectExit < 0 || check.expectExit > 255)
      problems.push(`${which} expects exit code ${check.expectExit}; exit codes are 0-255`);
    const bytes = check.stdin.length + check.files.reduce((n, f) => n + f.content.length, 0);
    if (bytes > MAX_CHECK_BYTES)
      problems.push(`${which} carries ${bytes} characters of input; keep checks under ${MAX_CHECK_BYTES}`);
    const names = check.files.map((f) => f.name);
    if (new Set(names).size !== names.length) problems.push(`${which} names the same file twice`);
  });
  return problems;
}

const RESERVED = new Set(['imports', 'globals', 'main']);
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield print'.split(
    ' ',
  ),
);

/** Why an outline cannot be built as it stands (names, duplicates, checks against the rules). */
export function outlineProblems(outline: Outline, rules: RunRules): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of outline.functions) {
    if (KEYWORDS.has(f.name)) problems.push(`function name "${f.name}" is a Python keyword or builtin`);
    else if (f.name !== 'main' && RESERVED.has(f.name))
      problems.push(`function name "${f.name}" is reserved`);
    if (seen.has(f.name)) problems.push(`function ${f.name} is listed twice`);
    seen.add(f.name);
  }
  for (const c of outline.classes) {
    if (!/^[A-Za-z_]\w*$/.test(c.name) || KEYWORDS.has(c.name))
      problems.push(`class name "${c.name}" is not a usable Python identifier`);
    if (seen.has(c.name)) problems.push(`${c.name} is listed twice`);
    seen.add(c.name);
  }
  for (const g of outline.globals)
    if (!/^[A-Za-z_]\w*$/.test(g.name)) problems.push(`global name "${g.name}" is not a Python identifier`);
  problems.push(...checkProblems(outline.smokeChecks, outline.runMode, rules));
  return problems;
}

/** The outline with calls to names it does not outline dropped (a model's loose `calls`). */
export function tidyOutline(outline: Outline): Outline {
  const names = new Set(outline.functions.map((f) => f.name));
  return {
    ...outline,
    functions: outline.functions.map((f) => ({ ...f, calls: f.calls.filter((c) => names.has(c)) })),
  };
}
