/**
 * What `ff2 eval` records: a run (model, options, status) and one result per goal attempt.
 */
import type { CheckVerdict } from './checks.js';

/**
 * Where an attempt stopped: `shipped` (then the hidden checks decided), a pipeline stage
 * (`interview`, `outline`, `generate`, `review`, `qa`, `run`, `repair`, `feedback`, …),
 * `hidden_checks` (shipped, but the checks failed), `budget`, `timeout`, `skipped`, or
 * `eval_error` (the eval itself failed: a bug).
 */
export type StoppedAt = string;

export interface AttemptResult {
  goalId: string;
  category: string;
  /** 1-based. */
  attempt: number;
  sessionId: string | null;
  /** passed: shipped and every hidden check passed. */
  outcome: 'passed' | 'failed' | 'skipped' | 'error';
  /** outcome === 'passed'. */
  passed: boolean;
  stoppedAt: StoppedAt;
  /** Why it stopped or failed, in one line ('' when it passed). */
  reason: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  wallMs: number;
  /** Repair rounds (script versions made by the repair stage). */
  repairs: number;
  versions: number;
  detail: AttemptDetail;
}

export interface AttemptDetail {
  shipped: boolean;
  /** Hidden check verdicts on the shipped (or last) version; [] when there was no version. */
  checks: CheckVerdict[];
  /** Questions the model asked, and how many of them the goal's scripted answers covered. */
  asked: number;
  answered: number;
  /** The goal is ambiguous on purpose (asking is right). */
  expectQuestions: boolean;
  /** Files under the run's output folder. */
  transcript?: string;
  diff?: string;
  firstScript?: string;
  lastScript?: string;
}

export interface EvalRunOptions {
  goals: string;
  attempts: number;
  parallel: number;
  budgetUsd: number | null;
  out: string;
  /** The --model argument ("oracle", a model name, or null for the configured FF2_MODEL). */
  model: string | null;
}

export interface EvalRun {
  id: string;
  model: string;
  options: EvalRunOptions;
  status: 'running' | 'done' | 'interrupted' | 'budget';
  startedAt: number;
  finishedAt: number | null;
}
