/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the
 * summary table, the charts, and per goal attempt its figures, the hidden check verdicts, the
 * transcript and the diff from the first to the last script version.
 */
import { formatMs, formatRate, formatUsd, type RunSummary } from '../summary.js';
import type { AttemptResult, EvalRun } from '../types.js';

export interface HtmlInput {
  run: EvalRun;
  summary: RunSummary;
  results: readonly AttemptResult[];
  charts: { categories: string; stages: string; calls: string };
  /** Reads a file of the run's output folder by its relative path ('' when missing). */
  readText: (relative: string) => string;
}

const CSS = `
body{font:14px/1.45 "DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666;margin-bottom:16px}table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.passed{color:#1e7b3a;font-weight:600}
.failed{color:#b8431f;font-weight:600}.skipped{color:#777}.error{color:#777;font-weight:600}
.big{font-size:20px;font-weight:600}.charts{display:flex;flex-wrap:wrap;gap:24px}.charts figure{margin:0}
figcaption{font-weight:600;margin-bottom:4px}details{margin:6px 0;border:1px solid #e3e3e3;border-radius:4px;padding:4px 8px}
summary{cursor:pointer}pre{background:#f8f8f8;padding:8px;overflow:auto;max-height:420px;font-size:12px;white-space:pre-wrap}
.add{color:#1e7b3a}.del{color:#b8431f}.hunk{color:#3b7dd8}
`;

export function renderHtml(input: HtmlInput): string {
  const { run, summary, results, charts } = input;
  const s = summary.solved;
  const body = [
    `<h1>ff2 eval — ${esc(run.model)}</h1>`,
    `<div class="meta">run ${esc(run.id)} · ${esc(new Date(run.startedAt).toISOString())} · goals ${esc(run.options.goals)} · ${run.options.attempts} attempt(s) per goal · status ${esc(run.status)}</div>`,
    '<h2>Summary</h2>',
    '<table><tr><th>Pass rate (95% Wilson CI)</th><th>Median calls</th><th>Median tokens</th><th>Median cost</th><th>Median time</th><th>Total cost</th><th>Total calls</th><th>Skipped</th><th>Eval errors</th></tr>',
    `<tr><td class="big">${esc(formatRate(summary.overall))}</td><td class="num">${s ? s.calls : '–'}</td><td class="num">${s ? Math.round(s.tokens) : '–'}</td><td class="num">${s ? formatUsd(s.costUsd) : '–'}</td><td class="num">${s ? formatMs(s.wallMs) : '–'}</td><td class="num">${formatUsd(summary.totals.costUsd)}</td><td class="num">${summary.totals.calls}</td><td class="num">${summary.skipped}</td><td class="num">${summary.errors}</td></tr></table>`,
    '<p>Medians are over solved attempts. An attempt passes when ff2 shipped a script and every hidden check passed on it.</p>',
    summary.askedWhenAmbiguous.total > 0
      ? `<p>Ambiguous goals (asking is right): the model asked before outlining in ${summary.askedWhenAmbiguous.asked} of ${summary.askedWhenAmbiguous.total} attempts.</p>`
      : '',
    '<div class="charts">',
    charts.categories
      ? `<figure><figcaption>Pass rate per category</figcaption>${charts.categories}</figure>`
      : '',
    charts.stages
      ? `<figure><figcaption>Where failed attempts stopped</figcaption>${charts.stages}</figure>`
      : '<p>No failed attempts.</p>',
    charts.calls ? `<figure><figcaption>Model calls per attempt</figcaption>${charts.calls}</figure>` : '',
    '</div>',
    '<h2>Goals</h2>',
    '<table><tr><th>Goal</th><th>#</th><th>Result</th><th>Stopped at</th><th>Calls</th><th>Tokens in/out</th><th>Cost</th><th>Time</th><th>Repairs</th><th>Versions</th><th>Why</th></tr>',
    ...results.map(
      (r) =>
        `<tr><td><a href="#${anchor(r)}">${esc(r.goalId)}</a></td><td class="num">${r.attempt}</td><td class="${r.outcome}">${r.outcome}</td><td>${esc(r.stoppedAt)}</td><td class="num">${r.calls}</td><td class="num">${r.promptTokens} / ${r.completionTokens}</td><td class="num">${formatUsd(r.costUsd)}</td><td class="num">${formatMs(r.wallMs)}</td><td class="num">${r.repairs}</td><td class="num">${r.versions}</td><td>${esc(r.reason.slice(0, 300))}</td></tr>`,
    ),
    '</table>',
    '<h2>Attempts</h2>',
    ...results.map((r) => attemptSection(r, input.readText)),
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>ff2 eval ${esc(run.id)} — ${esc(run.model)}</title><style>${CSS}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}

function attemptSection(r: AttemptResult, readText: (relative: string) => string): string {
  const checks = r.detail.checks.length
    ? `<ul>${r.detail.checks.map((c) => `<li class="${c.passed ? 'passed' : 'failed'}">${c.passed ? '✓' : '✗'} ${esc(c.name)}${c.why ? ` — <span>${esc(c.why)}</span>` : ''}</li>`).join('')}</ul>`
    : '<p>No hidden checks ran (no script version).</p>';
  const transcript = r.detail.transcript ? readText(r.detail.transcript) : '';
  const diff = r.detail.diff ? readText(r.detail.diff) : '';
  const session = r.sessionId
    ? ` · session ${esc(r.sessionId)} (<code>ff2 show ${esc(r.sessionId)}</code>)`
    : '';
  return [
    `<details id="${anchor(r)}"><summary><b>${esc(r.goalId)}</b> #${r.attempt} — <span class="${r.outcome}">${r.outcome}</span> at ${esc(r.stoppedAt)}</summary>`,
    `<p>${r.detail.asked} question(s) asked, ${r.detail.answered} answered from the goal's script${r.detail.shipped ? ' · shipped' : ''}${session}</p>`,
    checks,
    transcript
      ? `<details><summary>Transcript (<a href="${esc(r.detail.transcript!)}">${esc(r.detail.transcript!)}</a>)</summary><pre>${esc(transcript)}</pre></details>`
      : '',
    r.detail.diff
      ? `<details><summary>Diff from the first to the last version (${r.versions} version(s))</summary>${diff ? `<pre>${colourDiff(diff)}</pre>` : '<p>The last version is the first.</p>'}</details>`
      : '',
    '</details>',
  ].join('\n');
}

function colourDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      const e = esc(line);
      if (line.startsWith('@@')) return `<span class="hunk">${e}</span>`;
      if (line.startsWith('+') && !line.startsWith('+++')) return `<span class="add">${e}</span>`;
      if (line.startsWith('-') && !line.startsWith('---')) return `<span class="del">${e}</span>`;
      return e;
    })
    .join('\n');
}

function anchor(r: AttemptResult): string {
  return `a-${r.goalId}-${r.attempt}`.replace(/[^\w-]/g, '_');
}

/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
