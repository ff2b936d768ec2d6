/**
 * The one transient line at the bottom of a TTY: a spinner with the current stage's status.
 * Everything else printed goes above it (clear, print, redraw). Without a TTY it does nothing;
 * status text is then printed as ordinary lines by the adapter.
 */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  /** Shows (or keeps showing) the line with this label. */
  show(label: string): void;
  /** Removes the line until the next `show`. */
  hide(): void;
  /** Writes text above the spinner line, keeping the spinner where it was. */
  print(text: string): void;
}

export interface SpinnerOptions {
  write: (text: string) => void;
  /** Animate (TTY). When false the spinner is never drawn and `print` writes straight through. */
  enabled: boolean;
  intervalMs?: number;
  /** Terminal width: the line is cut to fit, so it never wraps (a wrapped line cannot be redrawn). */
  width?: number;
  setInterval?: (fn: () => void, ms: number) => { unref?: () => void };
  clearInterval?: (handle: unknown) => void;
}

export function createSpinner(options: SpinnerOptions): Spinner {
  const { write, enabled } = options;
  const every = options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const stop = options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
  let label: string | null = null;
  let frame = 0;
  let timer: { unref?: () => void } | null = null;

  const draw = () => {
    if (label === null) return;
    write(`\r\u001b[2K${FRAMES[frame % FRAMES.length]} ${label}`);
  };
  const clear = () => {
    if (label !== null) write('\r\u001b[2K');
  };

  return {
    show(next) {
      if (!enabled) return;
      const line = next.split('\n')[0] ?? '';
      const room = Math.max(10, (options.width ?? 80) - 3);
      label = line.length > room ? `${line.slice(0, room - 1)}…` : line;
      draw();
      if (!timer) {
        timer = every(() => {
          frame++;
          draw();
        }, options.intervalMs ?? 100);
        timer.unref?.();
      }
    },
    hide() {
      clear();
      label = null;
      if (timer) stop(timer);
      timer = null;
    },
    print(text) {
      clear();
      write(text.endsWith('\n') ? text : `${text}\n`);
      draw();
    },
  };
}
