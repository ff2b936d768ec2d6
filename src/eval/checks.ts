/**
 * The hidden acceptance checks: each runs the script in the real sandbox with its arguments,
 * stdin and input files, then judges exit code, stdout, output files and (GUI) the window.
 */
import type { RunResult, Sandbox } from '../sandbox/types.js';
import type { Check, Goal, TextExpect } from './goal.js';

export interface CheckVerdict {
  name: string;
  passed: boolean;
  /** Why it failed ('' when it passed). */
  why: string;
}

/** Runs every check of `goal` against `script`; never throws for what the script does. */
export async function runChecks(
  sandbox: Sandbox,
  goal: Goal,
  script: string,
  signal?: AbortSignal,
): Promise<CheckVerdict[]> {
  const verdicts: CheckVerdict[] = [];
  for (const check of goal.checks) {
    const inputFiles: Record<string, Uint8Array> = {};
    for (const name of check.files) inputFiles[name] = goal.fileBytes[name]!;
    for (const file of check.write) inputFiles[file.name] = new TextEncoder().encode(file.content);
    const result = await sandbox.run({
      script,
      args: check.args,
      stdin: check.stdin,
      inputFiles,
      gui: goal.runMode === 'gui',
      ...(signal ? { signal } : {}),
    });
    const why = judgeCheck(check, result);
    verdicts.push({ name: check.name, passed: why === '', why });
  }
  return verdicts;
}

/** '' when the run meets the check, else the first reason it does not. */
export function judgeCheck(check: Check, result: RunResult): string {
  if (check.window) {
    if (!result.screenshot) return `no window appeared (status ${result.status}${tracebackNote(result)})`;
    return '';
  }
  if (result.status !== 'ok' && result.status !== 'error')
    return `the run ended with status ${result.status}${tracebackNote(result)}`;
  if (result.exitCode !== check.exit)
    return `expected exit code ${check.exit}, got ${result.exitCode ?? 'none'}${tracebackNote(result)}`;
  if (check.stdout) {
    const why = judgeText('stdout', check.stdout, result.stdout);
    if (why) return why;
  }
  for (const expected of check.outputFiles) {
    const file = result.outputFiles.find((f) => f.name === expected.name);
    if (!file) {
      const made = result.outputFiles.map((f) => f.name).join(', ') || 'none';
      return `expected an output file ${expected.name} (files written: ${made})`;
    }
    if (file.bytes < expected.minBytes)
      return `${expected.name} has ${file.bytes} bytes; expected at least ${expected.minBytes}`;
    if (expected.magicHex) {
      const head = Buffer.from(file.data.slice(0, expected.magicHex.length / 2)).toString('hex');
      if (head.toLowerCase() !== expected.magicHex.toLowerCase())
        return `${expected.name} does not start with the expected bytes`;
    }
    const why = judgeText(expected.name, expected, Buffer.from(file.data).toString('utf8'));
    if (why) return why;
  }
  return '';
}

/** '' when `text` meets the expectation. */
export function judgeText(label: string, expect: TextExpect, text: string): string {
  const fold = (s: string) => (expect.ignoreCase ? s.toLowerCase() : s);
  const haystack = fold(text);
  const missing = expect.contains.filter((f) => !haystack.includes(fold(f)));
  if (missing.length > 0)
    return `${label} lacks ${missing.map((m) => JSON.stringify(m)).join(', ')}${excerpt(text)}`;
  const unwanted = expect.notContains.filter((f) => haystack.includes(fold(f)));
  if (unwanted.length > 0)
    return `${label} contains ${unwanted.map((m) => JSON.stringify(m)).join(', ')}${excerpt(text)}`;
  if (expect.equals !== undefined && normalise(haystack) !== normalise(fold(expect.equals)))
    return `${label} is not exactly ${JSON.stringify(expect.equals)}${excerpt(text)}`;
  if (expect.regex !== undefined && !new RegExp(expect.regex, expect.ignoreCase ? 'mi' : 'm').test(text))
    return `${label} does not match /${expect.regex}/${excerpt(text)}`;
  return '';
}

function normalise(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

function excerpt(text: string): string {
  const t = text.trim();
  if (t === '') return ' (it was empty)';
  return ` (it began: ${JSON.stringify(t.length > 120 ? `${t.slice(0, 120)}…` : t)})`;
}

function tracebackNote(result: RunResult): string {
  return result.traceback ? `; ${result.traceback.type}: ${result.traceback.message}` : '';
}
