/**
 * The figures of an eval run: pass rate with a Wilson 95% interval, medians per solved attempt,
 * per-category pass rates and where failures stopped. Pure: results in, numbers out.
 */
import type { AttemptResult } from './types.js';

export interface RateInterval {
  passed: number;
  /** Attempts that ran (skipped ones excluded). */
  total: number;
  rate: number;
  low: number;
  high: number;
}

export interface RunSummary {
  overall: RateInterval;
  skipped: number;
  errors: number;
  /** Medians over passed attempts (null when none passed). */
  solved: { calls: number; tokens: number; costUsd: number; wallMs: number } | null;
  totals: { calls: number; promptTokens: number; completionTokens: number; costUsd: number; wallMs: number };
  categories: { category: string; passed: number; total: number; rate: number }[];
  /** Failed attempts per stage where they stopped, most first. */
  stages: { stage: string; count: number }[];
  /** Ambiguous goals: attempts where the model asked at least one question, of those run. */
  askedWhenAmbiguous: { asked: number; total: number };
}

/** Wilson score interval for `passed` of `total` at z (1.96 = 95%). */
export function wilson(passed: number, total: number, z = 1.96): { low: number; high: number } {
  if (total === 0) return { low: 0, high: 0 };
  const p = passed / total;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / (1 + z2 / total);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarise(results: readonly AttemptResult[]): RunSummary {
  const ran = results.filter((r) => r.outcome !== 'skipped');
  const passed = ran.filter((r) => r.outcome === 'passed');
  const { low, high } = wilson(passed.length, ran.length);
  const byCategory = new Map<string, { passed: number; total: number }>();
  for (const r of ran) {
    const c = byCategory.get(r.category) ?? { passed: 0, total: 0 };
    c.total++;
    if (r.outcome === 'passed') c.passed++;
    byCategory.set(r.category, c);
  }
  const stageCounts = new Map<string, number>();
  for (const r of ran)
    if (r.outcome !== 'passed') stageCounts.set(r.stoppedAt, (stageCounts.get(r.stoppedAt) ?? 0) + 1);
  const ambiguous = ran.filter((r) => r.detail.expectQuestions);
  const sum = (pick: (r: AttemptResult) => number) => ran.reduce((s, r) => s + pick(r), 0);
  return {
    overall: {
      passed: passed.length,
      total: ran.length,
      rate: ran.length ? passed.length / ran.length : 0,
      low,
      high,
    },
    skipped: results.length - ran.length,
    errors: ran.filter((r) => r.outcome === 'error').length,
    solved:
      passed.length === 0
        ? null
        : {
            calls: median(passed.map((r) => r.calls)),
            tokens: median(passed.map((r) => r.promptTokens + r.completionTokens)),
            costUsd: median(passed.map((r) => r.costUsd)),
            wallMs: median(passed.map((r) => r.wallMs)),
          },
    totals: {
      calls: sum((r) => r.calls),
      promptTokens: sum((r) => r.promptTokens),
      completionTokens: sum((r) => r.completionTokens),
      costUsd: sum((r) => r.costUsd),
      wallMs: sum((r) => r.wallMs),
    },
    categories: [...byCategory.entries()]
      .map(([category, c]) => ({ category, ...c, rate: c.passed / c.total }))
      .sort((a, b) => a.category.localeCompare(b.category)),
    stages: [...stageCounts.entries()]
      .map(([stage, count]) => ({ stage, count }))
      .sort((a, b) => b.count - a.count || a.stage.localeCompare(b.stage)),
    askedWhenAmbiguous: {
      asked: ambiguous.filter((r) => r.detail.asked > 0).length,
      total: ambiguous.length,
    },
  };
}

/** "62% (95% CI 45–77%)". */
export function formatRate(r: RateInterval): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return r.total === 0
    ? 'no attempts ran'
    : `${pct(r.rate)} (${r.passed}/${r.total}; 95% CI ${pct(r.low)}–${pct(r.high)})`;
}

export function formatMs(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(4)}`;
}
