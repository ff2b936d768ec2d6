/**
 * Chooses, by code and never by the model, the smallest section of a script to change after a
 * failed run. Pure: analysis + run result in, target out.
 */
import type { Analysis, Section } from '../python/types.js';
import type { RunResult, TracebackFrame } from '../sandbox/types.js';

export type FixTargetKind = 'imports' | 'globals' | 'function' | 'class' | 'main' | 'new_function';

export interface FixTarget {
  kind: FixTargetKind;
  /** Function or class name; "imports", "globals", "main"; the name to create for new_function. */
  name: string;
  /** One sentence for people and for the repair prompt. */
  reason: string;
}

/** The parts of a run the choice depends on. */
export type FixRun = Pick<RunResult, 'status' | 'exitCode' | 'traceback'> & {
  /** What the script printed on stderr (its tail is enough): read when there is no traceback. */
  stderr?: string;
};

/** Names that are nearly always modules or their usual aliases (`np.array`, `tk.Tk`). */
const MODULE_NAMES = new Set([
  'np',
  'pd',
  'plt',
  'mpl',
  'sns',
  'sp',
  'tf',
  'torch',
  'cv2',
  'tk',
  'ttk',
  'messagebox',
  'filedialog',
  'simpledialog',
  'tkinter',
  'os',
  'sys',
  're',
  'json',
  'math',
  'random',
  'time',
  'datetime',
  'csv',
  'sqlite3',
  'itertools',
  'collections',
  'functools',
  'subprocess',
  'shutil',
  'pathlib',
  'logging',
  'argparse',
  'string',
  'statistics',
  'typing',
  'dataclasses',
  'requests',
  'urllib',
  'socket',
  'threading',
  'queue',
  'copy',
  'glob',
  'hashlib',
  'base64',
  'uuid',
  'decimal',
  'fractions',
  'textwrap',
  'pprint',
  'struct',
  'zipfile',
  'tempfile',
  'io',
  'enum',
  'heapq',
  'bisect',
  'operator',
  'calendar',
  'secrets',
  'numpy',
  'pandas',
  'matplotlib',
]);

/**
 * Rules, in order: syntax error → the section holding the line; ModuleNotFoundError/ImportError
 * → imports; NameError → imports for a module-like name, a new function for a called name that
 * is nowhere defined, globals otherwise; any other traceback (including a timeout's faulthandler
 * dump) → the section of the deepest frame in the script (a method → its class; module level →
 * main, or the globals section when it comes before main). Without a traceback: an argparse usage
 * error → the section that builds the parser; `sys.exit("message")` / `SystemExit("message")`
 * whose message was printed → the section holding that call; a timeout, memory or output limit
 * → main; any other failure → null, and the model chooses among the sections (validated).
 * Returns null too when the run succeeded and the source parses.
 */
export function chooseFixTarget(analysis: Analysis, run: FixRun): FixTarget | null {
  const { syntaxError } = analysis;
  if (syntaxError) {
    const at = `syntax error at line ${syntaxError.line}: ${syntaxError.message}`;
    return targetAt(analysis.sections, syntaxError.line, at);
  }
  if (run.status === 'ok') return null;
  const tb = run.traceback;
  if (!tb) {
    if (run.status !== 'error') return { kind: 'main', name: 'main', reason: noTracebackReason(run) };
    return exitTarget(analysis, run);
  }

  if (tb.type === 'ModuleNotFoundError' || tb.type === 'ImportError') {
    const missing = /No module named '([^']+)'/.exec(tb.message)?.[1];
    const cannot = /cannot import name '([^']+)' from '([^']+)'/.exec(tb.message);
    const reason = missing
      ? `module "${missing}" is not installed in the sandbox: use the standard library or another installed package`
      : cannot
        ? `"${cannot[1]}" cannot be imported from "${cannot[2]}" with the packages installed in the sandbox`
        : `${tb.type}: ${tb.message} (the package is not installed in the sandbox)`;
    return { kind: 'imports', name: 'imports', reason };
  }

  if (tb.type === 'NameError' || tb.type === 'UnboundLocalError') {
    const name = /(?:name|variable) '([^']+)'/.exec(tb.message)?.[1];
    if (name && tb.type === 'NameError') return nameErrorTarget(analysis, name);
  }

  const frame = deepestScriptFrame(tb.frames);
  const what = tb.type === 'Timeout' ? `the script was ${tb.message}` : `${tb.type}: ${tb.message}`.trim();
  if (!frame) return { kind: 'main', name: 'main', reason: `${what}, outside any line of the script` };
  const where =
    frame.function === '<module>' ? `line ${frame.line}` : `${frame.function} (line ${frame.line})`;
  return targetAt(analysis.sections, frame.line, `${what} in ${where}`);
}

/** A non-zero exit without a traceback: argparse's usage error, or a sys.exit message it printed. */
function exitTarget(analysis: Analysis, run: FixRun): FixTarget | null {
  const stderr = (run.stderr ?? '').trim();
  const usage = /(^|\n)usage: /.test(stderr) ? /(?:^|\n)\S+: error: (.+)/.exec(stderr) : null;
  const parser = analysis.parsers?.[0];
  if (usage && run.exitCode === 2 && parser !== undefined)
    return targetAt(analysis.sections, parser, `argparse rejected the arguments: ${usage[1]!.trim()}`);
  const lines = stderr.split('\n').map((l) => l.trim());
  const exit = analysis.exits?.find((e) => {
    const message = e.message.trim();
    return message.length > 0 && lines.some((l) => l.startsWith(message));
  });
  if (exit)
    return targetAt(
      analysis.sections,
      exit.line,
      `the script stopped with "${exit.message.trim().slice(0, 120)}" (exit code ${run.exitCode ?? '?'}) at line ${exit.line}`,
    );
  return null;
}

function nameErrorTarget(analysis: Analysis, name: string): FixTarget {
  const entry = analysis.undefinedNames.find((u) => u.name === name);
  if (entry?.attribute || MODULE_NAMES.has(name)) {
    return { kind: 'imports', name: 'imports', reason: `"${name}" is used like a module but never imported` };
  }
  if (entry?.called) {
    return {
      kind: 'new_function',
      name,
      reason: `"${name}" is called (line ${entry.line}) but defined nowhere: write the function`,
    };
  }
  return { kind: 'globals', name: 'globals', reason: `"${name}" is used but not defined where it is needed` };
}

/** The innermost frame whose file is the script itself (main.py). */
function deepestScriptFrame(frames: readonly TracebackFrame[]): TracebackFrame | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!;
    if (/(^|\/)main\.py$/.test(frame.file)) return frame;
  }
  return undefined;
}

function targetAt(sections: readonly Section[], line: number, reason: string): FixTarget {
  const section = sections.find((s) => s.startLine <= line && line <= s.endLine);
  if (!section) return { kind: 'main', name: 'main', reason };
  switch (section.kind) {
    case 'function':
      return { kind: 'function', name: section.name, reason };
    case 'class':
      return { kind: 'class', name: section.name, reason: `${reason} (a method of class ${section.name})` };
    case 'imports':
      return { kind: 'imports', name: 'imports', reason };
    case 'main':
      return { kind: 'main', name: 'main', reason };
    case 'globals': {
      const main = sections.find((s) => s.kind === 'main');
      return !main || section.startLine < main.startLine
        ? { kind: 'globals', name: 'globals', reason }
        : { kind: 'main', name: 'main', reason };
    }
  }
}

function noTracebackReason(run: FixRun): string {
  switch (run.status) {
    case 'timeout':
      return 'the script ran past its time limit without reporting where';
    case 'memory':
      return 'the script ran out of memory';
    case 'output_limit':
      return 'the script printed more output than allowed';
    case 'killed':
      return 'the script was killed';
    default:
      return `the script exited with code ${run.exitCode ?? 'unknown'} without a traceback`;
  }
}
