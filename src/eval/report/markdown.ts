/** report.md: the run's summary as Markdown tables, for pasting into an issue. */
import { formatMs, formatRate, formatUsd, type RunSummary } from '../summary.js';
import type { AttemptResult, EvalRun } from '../types.js';

export function renderMarkdown(run: EvalRun, summary: RunSummary, results: readonly AttemptResult[]): string {
  const s = summary.solved;
  const lines = [
    `## ff2 eval ${run.id} — ${cell(run.model)}`,
    '',
    `${new Date(run.startedAt).toISOString()} · ${run.options.attempts} attempt(s) per goal · status ${run.status}`,
    '',
    '| Pass rate | Median calls | Median tokens | Median cost | Median time | Total cost | Skipped | Eval errors |',
    '|---|---|---|---|---|---|---|---|',
    `| ${formatRate(summary.overall)} | ${s ? s.calls : '–'} | ${s ? Math.round(s.tokens) : '–'} | ${s ? formatUsd(s.costUsd) : '–'} | ${s ? formatMs(s.wallMs) : '–'} | ${formatUsd(summary.totals.costUsd)} | ${summary.skipped} | ${summary.errors} |`,
    '',
    'Medians are over solved attempts.',
  ];
  if (summary.askedWhenAmbiguous.total > 0)
    lines.push(
      `Ambiguous goals: asked before outlining in ${summary.askedWhenAmbiguous.asked} of ${summary.askedWhenAmbiguous.total} attempts.`,
    );
  lines.push('', '| Category | Passed |', '|---|---|');
  for (const c of summary.categories) lines.push(`| ${c.category} | ${c.passed}/${c.total} |`);
  if (summary.stages.length > 0) {
    lines.push('', '| Stopped at | Failed attempts |', '|---|---|');
    for (const st of summary.stages) lines.push(`| ${st.stage} | ${st.count} |`);
  }
  lines.push(
    '',
    '| Goal | Attempt | Result | Stopped at | Calls | Tokens | Cost | Time | Repairs | Versions | Why |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results)
    lines.push(
      `| ${r.goalId} | ${r.attempt} | ${mark(r)} | ${r.stoppedAt} | ${r.calls} | ${r.promptTokens + r.completionTokens} | ${formatUsd(r.costUsd)} | ${formatMs(r.wallMs)} | ${r.repairs} | ${r.versions} | ${cell(r.reason).slice(0, 160)} |`,
    );
  return `${lines.join('\n')}\n`;
}

function mark(r: AttemptResult): string {
  return r.outcome === 'passed'
    ? '✅ passed'
    : r.outcome === 'skipped'
      ? '⏭ skipped'
      : r.outcome === 'error'
        ? '💥 error'
        : '❌ failed';
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
