/**
 * The report's charts: Vega-Lite specs compiled and rendered to SVG strings in Node (vega's
 * headless View with renderer "none"; no canvas, no browser), so report.html works offline.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunSummary } from '../summary.js';
import type { AttemptResult } from '../types.js';

const FONT = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  labelFont: 'DejaVu Sans, Helvetica, Arial, sans-serif',
};
const CONFIG = {
  axis: { labelFontSize: 11, titleFontSize: 11, ...FONT, titleFont: FONT.font },
  view: { stroke: null },
  background: 'white',
};

/** What every chart shares: schema, width, a band per row of `rowStep` px, the config. */
function frame(rowStep: number) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 420,
    height: { step: rowStep },
    config: CONFIG,
  } as const;
}

/** An x axis counting whole things. */
function countX(field: string, title: string) {
  return { field, type: 'quantitative', title, axis: { tickMinStep: 1, format: 'd' } } as const;
}

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ compile }, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function categorySpec(summary: RunSummary): TopLevelSpec {
  return {
    ...frame(22),
    data: {
      values: summary.categories.map((c) => ({
        category: c.category,
        rate: c.rate,
        label: `${c.passed}/${c.total}`,
      })),
    },
    layer: [
      {
        mark: { type: 'bar', color: '#3b7dd8' },
        encoding: {
          y: { field: 'category', type: 'nominal', sort: 'ascending', title: null },
          x: {
            field: 'rate',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            axis: { format: '%' },
            title: 'pass rate',
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: {
          y: { field: 'category', type: 'nominal', sort: 'ascending' },
          x: { field: 'rate', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}

export function stageSpec(summary: RunSummary): TopLevelSpec {
  return {
    ...frame(22),
    data: { values: summary.stages },
    mark: { type: 'bar', color: '#d8613b' },
    encoding: {
      y: { field: 'stage', type: 'nominal', sort: '-x', title: 'stopped at' },
      x: countX('count', 'failed attempts'),
    },
  };
}

export function callsSpec(results: readonly AttemptResult[]): TopLevelSpec {
  return {
    ...frame(14),
    data: {
      values: results
        .filter((r) => r.outcome !== 'skipped')
        .map((r) => ({ goal: `${r.goalId}#${r.attempt}`, calls: r.calls, outcome: r.outcome })),
    },
    mark: 'bar',
    encoding: {
      y: { field: 'goal', type: 'nominal', sort: 'ascending', title: null },
      x: countX('calls', 'model calls'),
      color: {
        field: 'outcome',
        type: 'nominal',
        scale: { domain: ['passed', 'failed', 'error'], range: ['#3ba55d', '#d8613b', '#888888'] },
      },
    },
  };
}

/** The report's charts as SVG strings (empty string for a chart with no data). */
export async function renderCharts(
  summary: RunSummary,
  results: readonly AttemptResult[],
): Promise<{ categories: string; stages: string; calls: string }> {
  const [categories, stages, calls] = await Promise.all([
    summary.categories.length > 0 ? renderSvg(categorySpec(summary)) : '',
    summary.stages.length > 0 ? renderSvg(stageSpec(summary)) : '',
    results.some((r) => r.outcome !== 'skipped') ? renderSvg(callsSpec(results)) : '',
  ]);
  return { categories, stages, calls };
}
