/**
 * `ff2 eval compare A B`: what changed goal by goal between two runs — newly passing, newly
 * failing, stopped elsewhere — and the change in pass rate, calls and cost. Pure.
 */
import { formatRate, formatUsd, summarise } from './summary.js';
import type { AttemptResult, EvalRun } from './types.js';

export interface GoalChange {
  goalId: string;
  /** Passed attempts / attempts run, in A and in B ("–" when the goal was not in the run). */
  a: string;
  b: string;
  change: 'fixed' | 'broken' | 'same' | 'only_a' | 'only_b';
  stoppedA: string;
  stoppedB: string;
  callsA: number;
  callsB: number;
}

export interface Comparison {
  a: { id: string; model: string; rate: string; calls: number; costUsd: number };
  b: { id: string; model: string; rate: string; calls: number; costUsd: number };
  goals: GoalChange[];
}

export function compareRuns(
  runA: EvalRun,
  resultsA: readonly AttemptResult[],
  runB: EvalRun,
  resultsB: readonly AttemptResult[],
): Comparison {
  const byGoal = (results: readonly AttemptResult[]) => {
    const map = new Map<string, AttemptResult[]>();
    for (const r of results)
      if (r.outcome !== 'skipped') map.set(r.goalId, [...(map.get(r.goalId) ?? []), r]);
    return map;
  };
  const a = byGoal(resultsA);
  const b = byGoal(resultsB);
  const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
  const goals = ids.map((goalId): GoalChange => {
    const ra = a.get(goalId) ?? [];
    const rb = b.get(goalId) ?? [];
    const rate = (rs: AttemptResult[]) =>
      rs.length ? rs.filter((r) => r.outcome === 'passed').length / rs.length : 0;
    const frac = (rs: AttemptResult[]) =>
      rs.length ? `${rs.filter((r) => r.outcome === 'passed').length}/${rs.length}` : '–';
    const change =
      ra.length === 0
        ? 'only_b'
        : rb.length === 0
          ? 'only_a'
          : rate(rb) > rate(ra)
            ? 'fixed'
            : rate(rb) < rate(ra)
              ? 'broken'
              : 'same';
    const stopped = (rs: AttemptResult[]) => [...new Set(rs.map((r) => r.stoppedAt))].join(', ') || '–';
    const calls = (rs: AttemptResult[]) => rs.reduce((s, r) => s + r.calls, 0);
    return {
      goalId,
      a: frac(ra),
      b: frac(rb),
      change,
      stoppedA: stopped(ra),
      stoppedB: stopped(rb),
      callsA: calls(ra),
      callsB: calls(rb),
    };
  });
  const side = (run: EvalRun, results: readonly AttemptResult[]) => {
    const s = summarise(results);
    return {
      id: run.id,
      model: run.model,
      rate: formatRate(s.overall),
      calls: s.totals.calls,
      costUsd: s.totals.costUsd,
    };
  };
  return { a: side(runA, resultsA), b: side(runB, resultsB), goals };
}

/** The comparison as text: the two runs, then only the goals that changed. */
export function renderComparison(c: Comparison): string {
  const lines = [
    `A ${c.a.id} (${c.a.model}): ${c.a.rate}, ${c.a.calls} calls, ${formatUsd(c.a.costUsd)}`,
    `B ${c.b.id} (${c.b.model}): ${c.b.rate}, ${c.b.calls} calls, ${formatUsd(c.b.costUsd)}`,
    '',
  ];
  const changed = c.goals.filter((g) => g.change !== 'same');
  if (changed.length === 0) lines.push('No goal changed its result.');
  const words = {
    fixed: 'now passes',
    broken: 'now fails',
    only_a: 'only in A',
    only_b: 'only in B',
    same: 'same',
  };
  for (const g of changed)
    lines.push(
      `${g.change === 'fixed' ? '+' : g.change === 'broken' ? '-' : '?'} ${g.goalId}: ${words[g.change]} (A ${g.a} at ${g.stoppedA}; B ${g.b} at ${g.stoppedB})`,
    );
  const same = c.goals.length - changed.length;
  lines.push('', `${same} goal(s) unchanged.`);
  return `${lines.join('\n')}\n`;
}
