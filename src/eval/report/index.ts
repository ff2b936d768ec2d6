/** Writes a run's report files into its output folder: report.html, report.md, results.json. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { summarise } from '../summary.js';
import type { AttemptResult, EvalRun } from '../types.js';
import { renderCharts } from './charts.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export interface ReportFiles {
  html: string;
  markdown: string;
  json: string;
}

export async function writeReport(
  out: string,
  run: EvalRun,
  results: readonly AttemptResult[],
): Promise<ReportFiles> {
  const summary = summarise(results);
  const charts = await renderCharts(summary, results);
  const readText = (relative: string) => {
    const path = normalize(join(out, relative));
    if (!path.startsWith(normalize(out)) || !existsSync(path)) return '';
    return readFileSync(path, 'utf8');
  };
  const files = {
    html: join(out, 'report.html'),
    markdown: join(out, 'report.md'),
    json: join(out, 'results.json'),
  };
  writeFileSync(files.html, renderHtml({ run, summary, results, charts, readText }));
  writeFileSync(files.markdown, renderMarkdown(run, summary, results));
  writeFileSync(files.json, `${JSON.stringify({ run, summary, results }, null, 2)}\n`);
  return files;
}
