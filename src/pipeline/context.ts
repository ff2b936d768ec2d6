/**
 * What a stage receives: its session's state and goal, the edges it may use (model, sandbox,
 * analyser) and `ask`, which gives every model call the session id and a deterministic call key
 * so a stage re-run after a crash replays recorded answers instead of paying twice.
 */
import type { ZodType } from 'zod';
import type { LlmProvider } from '../llm/types.js';
import type { PythonToolchain } from '../python/types.js';
import type { Sandbox } from '../sandbox/types.js';
import type { UsageTotals } from '../store/types.js';
import type { Prompt } from './prompts/common.js';
import type { RunRules } from './rules.js';
import type { SessionState, StageOutcome, WorkingStage } from './types.js';

/** A stored file (an attachment): name, size and bytes. */
export interface StoredFile {
  name: string;
  size: number;
  bytes: Uint8Array;
}

/** Reads stored files by id; state refers to them as `blob:<id>` (see `fileRef`). */
export interface FileReader {
  /** Undefined when the file is gone (pruned, or never stored). */
  read(id: number): StoredFile | undefined;
}

export interface StageDeps {
  llm: LlmProvider;
  sandbox: Sandbox;
  python: PythonToolchain;
  /** FF2_MAX_REPAIRS. */
  maxRepairs: number;
  /** Stored attachments; absent in tests that attach nothing. */
  files?: FileReader;
  /** The rules of a sandbox run the prompts state (DEFAULT_RUN_RULES when absent). */
  runRules?: RunRules;
}

/** How session state refers to a stored file: `blob:<id>`. */
export function fileRef(id: number): string {
  return `blob:${id}`;
}

/**
 * The bytes behind a state file value: `blob:<id>` read through `files`; anything else is
 * base64 (sessions saved before files moved to blobs). Undefined when the blob is gone.
 */
export function readStateFile(value: string, files: FileReader | undefined): Uint8Array | undefined {
  const blob = /^blob:(\d+)$/.exec(value);
  if (!blob) return Uint8Array.from(Buffer.from(value, 'base64'));
  return files?.read(Number(blob[1]))?.bytes;
}

/** Facts from the store a stage may read (the runner gathers them; stages never touch the store). */
export interface SessionFacts {
  usage: UsageTotals;
  /** The first script version, '' when none. */
  firstCode: string;
  /** One line per recorded run. */
  runLog: string[];
}

export interface StageContext extends StageDeps {
  sessionId: string;
  goal: string;
  stage: WorkingStage;
  state: SessionState;
  signal: AbortSignal;
  facts: SessionFacts;
  /**
   * A structured model call keyed `stage:step:attempt:name`; the prompt's task goes out as the
   * request's schema name. @throws LlmError
   */
  ask<T>(name: string, prompt: Prompt, schema: ZodType<T>, options?: AskOptions): Promise<T>;
  /** Best-effort progress line for this stage's single status message. */
  progress(text: string): void;
}

export interface AskOptions {
  maxTokens?: number;
  temperature?: number;
}

export interface Stage {
  run(ctx: StageContext): Promise<StageOutcome>;
}

/** The call key of one logical model call. Same step + attempt + name → same key → replay. */
export function callKey(stage: WorkingStage, state: SessionState, name: string): string {
  return `${stage}:${state.step}:${state.attempt}:${name}`;
}

export function makeAsk(
  deps: Pick<StageDeps, 'llm'>,
  sessionId: string,
  stage: WorkingStage,
  state: SessionState,
  signal: AbortSignal,
): StageContext['ask'] {
  return async (name, prompt, schema, options) => {
    const result = await deps.llm.complete({
      stage,
      messages: prompt.messages,
      schema,
      schemaName: prompt.task,
      sessionId,
      callKey: callKey(stage, state, name),
      budgetScale: state.budgetScale,
      signal,
      temperature: options?.temperature ?? 0.2,
      maxTokens: options?.maxTokens ?? 2048,
    });
    return result.value;
  };
}
