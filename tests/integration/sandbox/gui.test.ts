import { afterAll, describe, expect, it } from 'vitest';
import { processesOf, testSandbox } from './helpers.js';

const UID_BASE = 62201;
const sandbox = testSandbox(UID_BASE, 1);
afterAll(() => sandbox.close());

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('GUI scripts', () => {
  it('captures the first Tk window as PNG, stops the script and reports ok', async () => {
    const result = await sandbox.run({
      script: [
        'import tkinter as tk',
        'print("opening", flush=True)',
        'root = tk.Tk()',
        'root.title("Counter")',
        'root.geometry("240x120")',
        'tk.Label(root, text="Clicks: 0", bg="#1e1e1e", fg="#00ff00").pack(fill="both", expand=True)',
        'root.mainloop()',
      ].join('\n'),
      gui: true,
      limits: { timeoutMs: 8000 },
    });
    expect(result.status).toBe('ok');
    expect(result.traceback).toBeNull();
    expect(result.stdout).toContain('opening');
    expect(Array.from(result.screenshot?.subarray(0, 8) ?? [])).toEqual(PNG);
    expect(processesOf(UID_BASE, 1)).toEqual([]);
  });

  it('reports a GUI script that fails before its window appears as an error, without screenshot', async () => {
    const result = await sandbox.run({
      script: 'import tkinter as tk\nroot = tk.Tk()\nroot.title(undefined_title)\nroot.mainloop()\n',
      gui: true,
      limits: { timeoutMs: 8000 },
    });
    expect(result.status).toBe('error');
    expect(result.traceback?.type).toBe('NameError');
    expect(result.screenshot).toBeNull();
  });

  it('runs a plain script under the GUI flag as usual', async () => {
    const result = await sandbox.run({
      script: 'print("no window")\n',
      gui: true,
      limits: { timeoutMs: 8000 },
    });
    expect(result).toMatchObject({ status: 'ok', exitCode: 0, screenshot: null });
    expect(result.stdout).toBe('no window\n');
  });
});
