/**
 * The pipeline's domain: stage names, the outline, the session state stored in `sessions.state`
 * (validated with zod whenever it is read) and what a stage returns. Pure data, no I/O.
 */
import { z } from 'zod';
import type { StageResult } from './machine.js';
import type { EventType, GateAction } from './vocabulary.js';

/** Stages that run by themselves; the runner owes them a step (status `working`). */
export const WORKING_STAGES = [
  'import_script',
  'interview',
  'outline',
  'revise_outline',
  'generate',
  'review',
  'qa',
  'run',
  'repair',
  'change',
  'revise_checks',
  'ship',
] as const;
/** Stages that wait for a person (status `waiting`). */
export const WAITING_STAGES = [
  'answer_questions',
  'approve_outline',
  'approve_run',
  'give_feedback',
  'confirm_feedback',
  'after_repairs',
  'check_or_script',
  'budget_paused',
  'retry_paused',
] as const;
export const FINAL_STAGES = ['shipped', 'cancelled', 'failed'] as const;

export type WorkingStage = (typeof WORKING_STAGES)[number];
export type WaitingStage = (typeof WAITING_STAGES)[number];
export type FinalStage = (typeof FINAL_STAGES)[number];
export type StageName = WorkingStage | WaitingStage | FinalStage;

export function isWorkingStage(stage: string): stage is WorkingStage {
  return (WORKING_STAGES as readonly string[]).includes(stage);
}
export function isWaitingStage(stage: string): stage is WaitingStage {
  return (WAITING_STAGES as readonly string[]).includes(stage);
}

export const questionSchema = z.object({
  question: z.string().min(1),
  /** 2–4 suggested answers; they become buttons. */
  choices: z.array(z.string().min(1)).min(2).max(4),
  /** The assumption used when the person does not answer. */
  default: z.string().min(1),
});
export type Question = z.infer<typeof questionSchema>;

export const functionSpecSchema = z.object({
  name: z.string().regex(/^[A-Za-z_]\w*$/, 'must be a Python identifier'),
  /** Parameter list as written in Python, without parentheses, e.g. "path, columns=None". */
  params: z.string(),
  returns: z.string(),
  purpose: z.string(),
  /** Other outlined functions this one calls. */
  calls: z.array(z.string()),
});
export type FunctionSpec = z.infer<typeof functionSpecSchema>;

export const smokeCheckSchema = z.object({
  description: z.string(),
  args: z.array(z.string()),
  stdin: z.string(),
  /** Input files written next to the script (plain names). */
  files: z.array(z.object({ name: z.string().regex(/^[\w.-]+$/), content: z.string() })),
  expectExit: z.number().int(),
  /** Fragments that must appear in stdout or stderr. */
  expectOutput: z.array(z.string()),
});
export type SmokeCheck = z.infer<typeof smokeCheckSchema>;

export const outlineSchema = z.object({
  /** One refined paragraph. */
  spec: z.string().min(1),
  imports: z.array(z.string()),
  globals: z.array(z.object({ name: z.string(), purpose: z.string() })),
  functions: z.array(functionSpecSchema).max(20),
  classes: z.array(z.object({ name: z.string(), purpose: z.string(), methods: z.array(z.string()) })),
  mainFlow: z.array(z.string()),
  runMode: z.enum(['cli', 'gui']),
  inputs: z.object({ argv: z.boolean(), stdin: z.boolean(), files: z.boolean() }),
  smokeChecks: z.array(smokeCheckSchema).min(1).max(3),
});
export type Outline = z.infer<typeof outlineSchema>;

/** One unit of generation, in order: imports+globals, each class/function, main. */
export interface PlannedSection {
  kind: 'imports' | 'function' | 'class' | 'main';
  name: string;
}

export const runSummarySchema = z.object({
  ok: z.boolean(),
  status: z.string(),
  exitCode: z.number().nullable(),
  /** One line: what went wrong, for people and the repair prompt. */
  problem: z.string(),
  /** stderr tail / traceback text for the repair prompt (bounded). */
  detail: z.string(),
  traceback: z
    .object({
      type: z.string(),
      message: z.string(),
      frames: z.array(z.object({ file: z.string(), line: z.number(), function: z.string() })),
    })
    .nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** Where a session started from: a template, or the person's own script (outline null until analysed). */
export const baseSchema = z.object({
  kind: z.enum(['template', 'script']),
  /** The template's name, or the attached file's name. */
  name: z.string(),
  outline: outlineSchema.nullable(),
  code: z.string(),
  /** Own script: the goal is still to be applied as the requested change at the outline gate. */
  goalPending: z.boolean().default(false),
});
export type SessionBase = z.infer<typeof baseSchema>;

export const sessionStateSchema = z.object({
  /** Commits so far: the namespace of this step's model call keys. */
  step: z.number().int().min(0),
  /** The step at which the current stage was entered (names its status message). */
  stageStep: z.number().int().min(0),
  /** Budgets this session may spend (1 + each Continue after a budget pause). */
  budgetScale: z.number().int().min(1).default(1),
  /** Bumped by Retry so a retried stage asks again instead of replaying. */
  attempt: z.number().int().min(0),
  questions: z.array(questionSchema),
  /** Answers by question index. */
  answers: z.record(z.string(), z.string()),
  outline: outlineSchema.nullable(),
  /** The current script. */
  code: z.string(),
  /** Next planned section to generate. */
  genIndex: z.number().int().min(0),
  /** Sections generated so far (name + code), so generation needs no re-analysis per section. */
  genUnits: z.array(z.object({ name: z.string(), code: z.string() })).default([]),
  qaRound: z.number().int().min(0),
  /** Where QA leads: the human gate, or straight to a run (after repair or change). */
  afterQa: z.enum(['approve_run', 'run']),
  qaReport: z.string(),
  /**
   * codeHash of the last script QA's analysis found free of syntax errors: the run does not start
   * the analyser again for that same script (null: analyse before running).
   */
  compiles: z.string().nullable().default(null),
  /** Repair rounds since the last human decision. */
  repairs: z.number().int().min(0),
  /** Rounds granted beyond FF2_MAX_REPAIRS by "Try 3 more rounds" (reset with `repairs`). */
  extraRepairs: z.number().int().min(0).default(0),
  runs: z.number().int().min(0),
  versions: z.number().int().min(0),
  /** The change being applied, and parts of a compound request still to do. */
  feedback: z.string(),
  remaining: z.array(z.string()),
  /** Input the person gave for runs. Files by name: `blob:<id>` (stored file), or base64 (older sessions); args as typed after "Run with input". */
  runInput: z.object({
    stdin: z.string().nullable(),
    files: z.record(z.string(), z.string()),
    args: z.array(z.string()).default([]),
  }),
  /** What the model is told about each attached file: name, size, first lines or a description. */
  attachments: z
    .array(z.object({ name: z.string(), size: z.number().int().min(0), preview: z.string() }))
    .default([]),
  /** The person clicked "Change the checks"; the next reply says how. */
  awaitingChecks: z.boolean().default(false),
  /** A .py the person attached, until they say whether it is the new script or run input. */
  pendingFile: z
    .object({ name: z.string(), blobId: z.number().int().optional(), base64: z.string().default('') })
    .nullable()
    .default(null),
  /** The person clicked "Run with input…"; the next reply is stdin. */
  awaitingInput: z.boolean(),
  lastRun: runSummarySchema.nullable(),
  /**
   * Packages the design or script imports that the script environment lacks: while any is listed,
   * the outline gate offers the choices (pipeline/packages.ts) instead of Approve.
   */
  missingPackages: z
    .array(z.object({ module: z.string(), alternative: z.string().nullable(), pip: z.string() }))
    .default([]),
  /** The `ff2 python add …` command an approver may ask an admin to run; null when not offered. */
  installCommand: z.string().nullable().default(null),
  /** What the session started from (a template or the person's script; pipeline/base.ts). */
  base: baseSchema.nullable().default(null),
  /** A hand-edited script is waiting for QA to fit the outline to its sections (pipeline/hand-edit.ts). */
  syncOutline: z.boolean().default(false),
  /** Where a paused session goes back to. */
  paused: z.object({ stage: z.enum(WORKING_STAGES), reason: z.string() }).nullable(),
  /** Why the session stopped (failed/cancelled), or the last ship summary. */
  note: z.string(),
  /**
   * Messages whose buttons are still live, with what they said: when a person answers, the runner
   * edits them to their text plus the choice made and no buttons (so nobody clicks a stale one).
   */
  openButtons: z
    .array(
      z.object({
        key: z.string(),
        text: z.string(),
        title: z.string().optional(),
        buttons: z.array(
          z.array(
            z.object({
              action: z.string(),
              label: z.string(),
              style: z.enum(['primary', 'danger']).optional(),
              value: z.string().optional(),
            }),
          ),
        ),
      }),
    )
    .default([]),
});
export type SessionState = z.infer<typeof sessionStateSchema>;

export function initialState(): SessionState {
  return {
    step: 0,
    stageStep: 0,
    attempt: 0,
    budgetScale: 1,
    questions: [],
    answers: {},
    outline: null,
    code: '',
    genIndex: 0,
    genUnits: [],
    qaRound: 0,
    afterQa: 'approve_run',
    compiles: null,
    qaReport: '',
    repairs: 0,
    extraRepairs: 0,
    runs: 0,
    versions: 0,
    feedback: '',
    remaining: [],
    runInput: { stdin: null, files: {}, args: [] },
    attachments: [],
    awaitingChecks: false,
    pendingFile: null,
    awaitingInput: false,
    lastRun: null,
    missingPackages: [],
    installCommand: null,
    base: null,
    syncOutline: false,
    paused: null,
    note: '',
    openButtons: [],
  };
}

/** Reads `sessions.state`; throws a ZodError for a corrupted row (a bug, not a user error). */
export function parseState(raw: unknown): SessionState {
  return sessionStateSchema.parse(raw);
}

/** A button as the pipeline states it; adapters render and encode it. */
export interface DraftButton {
  action: GateAction;
  label: string;
  style?: 'primary' | 'danger';
  value?: string;
}

export interface DraftFile {
  name: string;
  /** Text content (scripts, diffs, logs) or bytes (screenshots, output files). */
  text?: string;
  bytes?: Uint8Array;
  mime?: string;
}

/** A message a stage wants to say; the runner stores it in the outbox in the same commit. */
export interface Draft {
  text: string;
  title?: string;
  buttons?: DraftButton[][];
  files?: DraftFile[];
  /** Names this message within the session (e.g. `status:generate`). */
  key?: string;
  /** Edit the message stored under this key instead of posting a new one. */
  replaces?: string;
  /** Post in the channel (team review card) rather than the session's thread. */
  toChannel?: boolean;
  /** Closes a status message: edits it when it was posted, else is dropped. */
  finalises?: boolean;
}

/** The run row a stage asks the runner to store. */
export interface RunRecord {
  status: string;
  exitCode: number | null;
  durationMs: number;
  result: unknown;
}

/**
 * What a step produced. `result` names the edge taken in TRANSITIONS; the runner commits the new
 * state, the next stage, the script version, the run and the messages in one transaction.
 */
export interface StageOutcome {
  result: StageResult;
  state: SessionState;
  messages?: Draft[];
  /** A new script version (the state's `code`), with its reason. */
  scriptReason?: string;
  run?: RunRecord;
  events?: { type: EventType; data?: unknown }[];
}
