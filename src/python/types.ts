/** What the Python analyser (`analyze.py`) reports about a script. Lines are 1-based and inclusive. */

export type SectionKind = 'imports' | 'globals' | 'function' | 'class' | 'main';

export interface Section {
  kind: SectionKind;
  /** Function/class name; "imports", "globals", "main" for the others. */
  name: string;
  startLine: number;
  endLine: number;
}

export interface Analysis {
  syntaxError: { line: number; col: number; message: string } | null;
  /**
   * In source order; covers every top-level statement exactly once. When syntaxError is set,
   * a best-effort split by indentation (so the broken line still maps to a section).
   * A leading docstring belongs to "imports"; the main guard and the function it calls, when
   * adjacent, form one "main" section.
   */
  sections: Section[];
  /** Names loaded somewhere but bound nowhere (not assigned, defined, imported or builtin); first use. */
  undefinedNames: {
    name: string;
    line: number;
    /** Used as `name.attr` somewhere (module-like). */
    attribute?: boolean;
    /** Called as `name(...)` somewhere. */
    called?: boolean;
  }[];
  /** Functions/classes defined twice in one scope; methods as "Class.method". */
  duplicates: string[];
  placeholders: { name: string; line: number; kind: 'pass' | 'ellipsis' | 'not_implemented' | 'todo' }[];
  /** Every import statement (any depth); available = importable by the sandbox's interpreter. */
  imports: { module: string; line: number; available: boolean }[];
  /** `sys.exit("…")`, `exit("…")`, `raise SystemExit("…")` with their (leading) message text. */
  exits?: { line: number; message: string }[];
  /** Lines that build an `argparse.ArgumentParser`. */
  parsers?: number[];
}

export interface PythonToolchain {
  /** Analyses source text. Never executes it. @throws SandboxError when Python is missing. */
  analyze(source: string): Promise<Analysis>;
}
