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
  /** Signatures, docstrings and calls of a script's definitions (describe.ts); never executes it. */
  describe?(source: string): Promise<ScriptDescription>;
  /** What scripts can import; absent when unknown (then designs are not checked against it). */
  environment?: ScriptEnvironment;
  /** Whether to offer "Ask an admin to install" (a venv is configured and there are approvers). */
  installable?: boolean;
}

/** A third-party package a script can import (found by `environment.py`, never imported). */
export interface ScriptPackage {
  /** Import name (`PIL`, `yaml`, `bs4`). */
  name: string;
  /** Distribution that installed it (`Pillow`); null when it has no metadata. */
  distribution: string | null;
  version: string | null;
  /** The site directory it lives in. */
  location: string;
}

/** What scripts can import: the interpreter the sandbox runs and its third-party packages. */
export interface ScriptEnvironmentInfo {
  /** Python version, e.g. "3.11.2". */
  python: string;
  /** The interpreter scripts run with (the venv's when FF2_PYTHON_VENV is set). */
  executable: string;
  /** True when `executable` belongs to a virtual environment. */
  venv: boolean;
  /** Site directories searched for packages (what the sandbox sees; never /usr/local). */
  siteDirs: string[];
  /** Top-level standard-library module names (sys.stdlib_module_names). */
  stdlib: string[];
  /** Importable third-party packages, sorted by name; packaging tools and OS modules left out. */
  packages: ScriptPackage[];
}

/** The script environment as the pipeline and doctor read it. */
export interface ScriptEnvironment {
  /**
   * The current environment: one interpreter call, then cached until a site directory changes
   * (so `ff2 python add` in another process is seen at the next look).
   * @throws SandboxError when the interpreter is missing or the discovery fails.
   */
  describe(): Promise<ScriptEnvironmentInfo>;
  /** FF2_PYTHON_VENV when configured: `ff2 python add` installs there. Null otherwise. */
  readonly venv: string | null;
}

/** What a script declares (`describe.py`, from `ast` only); `ok: false` when it does not parse. */
export type ScriptDescription =
  | { ok: false }
  | {
      ok: true;
      /** First line of the module docstring. */
      doc: string;
      functions: { name: string; params: string; returns: string; doc: string; calls: string[] }[];
      classes: { name: string; doc: string; methods: string[] }[];
      imports: string[];
      constants: string[];
    };
