import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewOf } from '../../../src/pipeline/outputs.js';
import { ProcessSandbox } from '../../../src/sandbox/bwrap.js';
import { defaultLimits } from '../../../src/sandbox/limits.js';
import { isPng, SALES_CSV } from '../../fakes/sales-chart.js';

/**
 * The script environment inside the real sandbox: Debian's pandas, matplotlib and openpyxl
 * import and work, plots are headless (plt.show() saves the figure), matplotlib's font cache is
 * prepared outside the run, and the sandbox's rules (no network) stay.
 */
const UID_BASE = 65001;

let sandbox: ProcessSandbox;
let cache: string;
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'ff2-script-cache-'));
  sandbox = new ProcessSandbox({
    python: '/usr/bin/python3',
    slots: 2,
    uidBase: UID_BASE,
    cacheDir: cache,
    limits: { ...defaultLimits({ timeoutS: 30, memoryMb: 1024 }), cpuSeconds: 20 },
  });
});
afterAll(async () => {
  await sandbox.close();
  rmSync(cache, { recursive: true, force: true });
});

const csv = { 'sales.csv': new TextEncoder().encode(SALES_CSV) };

describe('the script environment in the sandbox', { timeout: 120_000 }, () => {
  it('imports the curated packages', async () => {
    const result = await sandbox.run({
      script:
        'import pandas, matplotlib, openpyxl, bs4, yaml, PIL, numpy, lxml, dateutil, tabulate, requests\nprint("imported")',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('imported');
  });

  it('groups a CSV with pandas', async () => {
    const result = await sandbox.run({
      script: [
        'import pandas as pd',
        'frame = pd.read_csv("sales.csv")',
        'totals = frame.groupby("region")["sales"].sum().sort_values(ascending=False)',
        'totals.to_csv("totals.csv")',
        'print(totals.to_dict())',
      ].join('\n'),
      inputFiles: csv,
    });
    expect(result.status, result.stderr).toBe('ok');
    expect(result.stdout.trim()).toBe("{'North': 300, 'South': 120, 'East': 95}");
    const totals = result.outputFiles.find((f) => f.name === 'totals.csv')!;
    expect(previewOf(totals)).toBe('region,sales\nNorth,300\nSouth,120\nEast,95');
  });

  it('draws headless: plt.show() saves the figure as a PNG instead of blocking or warning', async () => {
    const result = await sandbox.run({
      script: [
        'import os',
        'import matplotlib.pyplot as plt',
        'print(os.environ["MPLBACKEND"], plt.get_backend())',
        'plt.bar(["North", "South"], [300, 120])',
        'plt.show()',
        'plt.plot([1, 2, 3])',
        'plt.show()',
        'print(sorted(os.listdir(".")))',
      ].join('\n'),
    });
    expect(result.status, result.stderr).toBe('ok');
    // No "Matplotlib created a temporary cache directory" or "non-GUI backend" warnings.
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Agg agg');
    const figures = result.outputFiles.filter((f) => f.name.endsWith('.png')).map((f) => f.name);
    expect(figures).toEqual(['figure-1-2.png', 'figure-1.png']);
    for (const f of result.outputFiles) expect(isPng(f.data)).toBe(true);
    // matplotlib's caches stay out of the work dir (nothing but the figures comes back).
    expect(result.outputFiles.map((f) => f.name).sort()).toEqual(['figure-1-2.png', 'figure-1.png']);
  });

  it('saves a figure shown with Figure.show(), without the non-interactive warning', async () => {
    const result = await sandbox.run({
      script:
        'from matplotlib.figure import Figure\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\nfig.show()',
    });
    expect(result.status, result.stderr).toBe('ok');
    expect(result.stderr).toBe('');
    expect(result.outputFiles.map((f) => f.name)).toEqual(['figure-1.png']);
  });

  it('reads matplotlib fonts from the cache prepared outside the run', async () => {
    const result = await sandbox.run({
      script: [
        'import os, time',
        'started = time.perf_counter()',
        'import matplotlib.font_manager',
        'print(sorted(os.listdir(os.environ["MPLCONFIGDIR"])))',
        'print("linked" if os.path.islink(os.path.join(os.environ["MPLCONFIGDIR"], os.listdir(os.environ["MPLCONFIGDIR"])[0])) else "built")',
      ].join('\n'),
    });
    expect(result.status, result.stderr).toBe('ok');
    expect(result.stdout).toMatch(/fontlist-v\d+\.json/);
    expect(result.stdout).toContain('linked');
  });

  it('writes and reads back an .xlsx with openpyxl, and its preview shows the first rows', async () => {
    const result = await sandbox.run({
      script: [
        'from openpyxl import Workbook, load_workbook',
        'book = Workbook()',
        'sheet = book.active',
        'sheet.append(["region", "sales"])',
        'for row in [["North", 300], ["South", 120], ["East & West", 95]]:',
        '    sheet.append(row)',
        'book.save("totals.xlsx")',
        'back = load_workbook("totals.xlsx").active',
        'print([[c.value for c in r] for r in back.iter_rows()])',
      ].join('\n'),
    });
    expect(result.status, result.stderr).toBe('ok');
    expect(result.stdout.trim()).toBe(
      "[['region', 'sales'], ['North', 300], ['South', 120], ['East & West', 95]]",
    );
    const book = result.outputFiles.find((f) => f.name === 'totals.xlsx')!;
    expect(previewOf(book)).toBe('region | sales\nNorth | 300\nSouth | 120\nEast & West | 95');
  });

  it('keeps the network closed to requests', async () => {
    const result = await sandbox.run({
      script: [
        'import requests',
        'try:',
        '    requests.get("http://127.0.0.1:9/", timeout=2)',
        'except requests.exceptions.ConnectionError as error:',
        '    print("no network:", type(error).__name__)',
      ].join('\n'),
    });
    expect(result.status, result.stderr).toBe('ok');
    expect(result.stdout).toContain('no network: ConnectionError');
  });
});
