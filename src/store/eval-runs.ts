/**
 * `ff2 eval`'s tables (eval_runs, eval_results), on their own connection to the ff2 database so
 * the session store's contract stays as it is. Open the session store first: it migrates.
 */
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import type { AttemptResult, EvalRun, EvalRunOptions } from '../eval/types.js';
import { migrate } from './schema.js';

export interface EvalRunStore {
  createRun(run: { id: string; model: string; options: EvalRunOptions }): EvalRun;
  getRun(id: string): EvalRun | undefined;
  /** Newest first. */
  listRuns(limit?: number): EvalRun[];
  setRunStatus(id: string, status: EvalRun['status']): void;
  /** Inserts or replaces the result of one goal attempt. */
  saveResult(runId: string, result: AttemptResult): void;
  /** In goal, attempt order. */
  listResults(runId: string): AttemptResult[];
  close(): void;
}

/** @throws StoreError naming the path when the database cannot be opened. */
export function openEvalRunStore(path: string, now: () => number = Date.now): EvalRunStore {
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    throw new StoreError(`cannot open database ${path}: ${(error as Error).message}`, { cause: error });
  }
  const q = (sql: string) => db.prepare(sql);
  const s = {
    insertRun: q(
      `INSERT INTO eval_runs (id, model, options, status, started_at) VALUES (@id, @model, @options, 'running', @now)`,
    ),
    getRun: q('SELECT * FROM eval_runs WHERE id = ?'),
    listRuns: q('SELECT * FROM eval_runs ORDER BY started_at DESC, rowid DESC LIMIT ?'),
    setStatus: q('UPDATE eval_runs SET status = ?, finished_at = ? WHERE id = ?'),
    saveResult: q(
      `INSERT OR REPLACE INTO eval_results (run_id, goal_id, attempt, category, session_id, outcome, stopped_at,
         reason, calls, prompt_tokens, completion_tokens, cost_usd, wall_ms, repairs, versions, detail, created_at)
       VALUES (@runId, @goalId, @attempt, @category, @sessionId, @outcome, @stoppedAt, @reason, @calls,
         @promptTokens, @completionTokens, @costUsd, @wallMs, @repairs, @versions, @detail, @now)`,
    ),
    listResults: q('SELECT * FROM eval_results WHERE run_id = ? ORDER BY goal_id, attempt'),
  };
  return {
    createRun(run) {
      s.insertRun.run({ id: run.id, model: run.model, options: JSON.stringify(run.options), now: now() });
      return this.getRun(run.id)!;
    },
    getRun(id) {
      const row = s.getRun.get(id) as RunRecord | undefined;
      return row ? toRun(row) : undefined;
    },
    listRuns(limit = 50) {
      return (s.listRuns.all(limit) as RunRecord[]).map(toRun);
    },
    setRunStatus(id, status) {
      s.setStatus.run(status, status === 'running' ? null : now(), id);
    },
    saveResult(runId, r) {
      const { passed: _derived, ...row } = r;
      s.saveResult.run({ ...row, runId, detail: JSON.stringify(r.detail), now: now() });
    },
    listResults(runId) {
      return (s.listResults.all(runId) as ResultRecord[]).map(toResult);
    },
    close() {
      db.close();
    },
  };
}

interface RunRecord {
  id: string;
  model: string;
  options: string;
  status: EvalRun['status'];
  started_at: number;
  finished_at: number | null;
}

interface ResultRecord {
  goal_id: string;
  attempt: number;
  category: string;
  session_id: string | null;
  outcome: AttemptResult['outcome'];
  stopped_at: string;
  reason: string;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  wall_ms: number;
  repairs: number;
  versions: number;
  detail: string;
}

function toRun(r: RunRecord): EvalRun {
  return {
    id: r.id,
    model: r.model,
    options: JSON.parse(r.options) as EvalRunOptions,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function toResult(r: ResultRecord): AttemptResult {
  return {
    goalId: r.goal_id,
    category: r.category,
    attempt: r.attempt,
    sessionId: r.session_id,
    outcome: r.outcome,
    passed: r.outcome === 'passed',
    stoppedAt: r.stopped_at,
    reason: r.reason,
    calls: r.calls,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    costUsd: r.cost_usd,
    wallMs: r.wall_ms,
    repairs: r.repairs,
    versions: r.versions,
    detail: JSON.parse(r.detail) as AttemptResult['detail'],
  };
}
