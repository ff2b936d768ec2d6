import type { EvalProgress } from './run.js';

/**
 * The progress line: `[########------------] 12/30 · 11 passed · 1 failed · $0.0123 · now: csv-dedupe#1`.
 * On a terminal it redraws in place; otherwise it prints one line each time an attempt finishes.
 */
export function createProgressBar(
  write: (text: string) => void,
  tty: boolean,
  width = 24,
): {
  update(p: EvalProgress): void;
  done(): void;
} {
  let lastDone = -1;
  let shown = false;
  return {
    update(p) {
      const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} · ${p.passed} passed · ${p.failed} failed${p.skipped ? ` · ${p.skipped} skipped` : ''} · $${p.costUsd.toFixed(4)}${p.running.length ? ` · now: ${p.running.join(', ')}` : ''}`;
      if (tty) {
        write(`\r\u001b[2K${line.slice(0, 160)}`);
        shown = true;
      } else if (p.done !== lastDone) {
        write(`${line}\n`);
      }
      lastDone = p.done;
    },
    done() {
      if (tty && shown) write('\n');
    },
  };
}
