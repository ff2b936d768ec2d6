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
  /** In source order; covers every top-level statement exactly once (empty when syntaxError). */
  sections: Section[];
  undefinedNames: { name: string; line: number }[];
  duplicates: string[];
  placeholders: { name: string; line: number; kind: 'pass' | 'ellipsis' | 'not_implemented' | 'todo' }[];
  imports: { module: string; line: number; available: boolean }[];
}

export interface PythonToolchain {
  /** Analyses source text. Never executes it. @throws SandboxError when Python is missing. */
  analyze(source: string): Promise<Analysis>;
}
