import { describe, expect, it } from 'vitest';
import { renderCharts } from '../../../src/eval/report/charts.js';
import { renderHtml } from '../../../src/eval/report/html.js';
import { renderMarkdown } from '../../../src/eval/report/markdown.js';
import { summarise } from '../../../src/eval/summary.js';
import type { AttemptResult, EvalRun } from '../../../src/eval/types.js';

const run: EvalRun = {
  id: 'r1',
  model: 'gpt <b>x</b>',
  options: { goals: 'eval/goals', attempts: 1, parallel: 1, budgetUsd: null, out: '/o', model: null },
  status: 'done',
  startedAt: 0,
  finishedAt: 1,
};

function result(
  goalId: string,
  outcome: AttemptResult['outcome'],
  stoppedAt: string,
  reason = '',
): AttemptResult {
  return {
    goalId,
    category: goalId.split('-')[0]!,
    attempt: 1,
    sessionId: 'abc',
    outcome,
    passed: outcome === 'passed',
    stoppedAt,
    reason,
    calls: 7,
    promptTokens: 100,
    completionTokens: 40,
    costUsd: 0.0012,
    wallMs: 2500,
    repairs: 0,
    versions: 2,
    detail: {
      shipped: outcome === 'passed',
      checks: [
        { name: 'c1', passed: outcome === 'passed', why: outcome === 'passed' ? '' : 'stdout lacks "x"' },
      ],
      asked: 0,
      answered: 0,
      expectQuestions: false,
      transcript: 'attempts/t.txt',
      diff: 'attempts/t.diff',
    },
  };
}

const results = [
  result('csv-a', 'passed', 'shipped'),
  result('logs-b', 'failed', 'hidden_checks', 'c1: stdout lacks "<script>alert(1)</script>" | x'),
  result('logs-c', 'failed', 'repair', 'spent'),
];

describe('eval report', () => {
  it('renders the charts to SVG with vega in Node (no canvas, no browser)', async () => {
    const charts = await renderCharts(summarise(results), results);
    for (const svg of Object.values(charts))
      expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(charts.categories).toContain('>csv</text>');
    expect(charts.categories).toContain('>1/1</text>');
    expect(charts.stages).toContain('>hidden_checks</text>');
    expect(charts.calls).toContain('>logs-c#1</text>');
  });

  it('escapes model and script text in the HTML, and shows the transcript and the coloured diff', () => {
    const html = renderHtml({
      run,
      summary: summarise(results),
      results,
      charts: { categories: '<svg></svg>', stages: '', calls: '' },
      readText: (p) => (p.endsWith('.txt') ? 'auto > Approve <ok>' : '--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new'),
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('gpt &#60;b&#62;x&#60;/b&#62;');
    expect(html).toContain('auto &#62; Approve &#60;ok&#62;');
    expect(html).toContain('<span class="add">+new</span>');
    expect(html).toContain('<span class="del">-old</span>');
    expect(html).toContain('33% (1/3; 95% CI 6%–79%)');
  });

  it('keeps Markdown table cells intact', () => {
    const md = renderMarkdown(run, summarise(results), results);
    expect(md).toContain('| 33% (1/3; 95% CI 6%–79%) | 7 | 140 | $0.0012 | 2.5 s |');
    expect(md).toContain('stdout lacks "&lt;script&gt;alert(1)&lt;/script&gt;" \\| x');
    expect(md).toContain('| hidden_checks | 1 |');
    expect(
      md
        .split('\n')
        .filter((l) => l.startsWith('| logs-b |'))[0]!
        .split(/(?<!\\)\|/).length,
    ).toBe(13);
  });
});
