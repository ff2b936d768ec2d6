import type { Button, Outgoing } from '../types.js';

/**
 * Turns an Outgoing message into terminal text: a heading from the title, Markdown-ish body
 * (headings, fenced code, bullet/numbered outline lists), buttons as numbered choices and the
 * paths of saved attachments. ANSI colour only when `color` is set (stdout is a TTY).
 */

export interface RenderOptions {
  /** Use ANSI colour and bold. Only on a TTY. */
  color: boolean;
  /** Terminal width for rules; 80 when unknown. */
  width?: number;
}

/** A button with its 1-based choice number, numbered across rows. */
export interface NumberedButton extends Button {
  n: number;
}

/** A saved attachment, as printed. */
export interface SavedFile {
  name: string;
  path: string;
  bytes: number;
}

/** Pictures a run wrote (charts, screenshots): the terminal saves them and says so. */
const IMAGE_FILE = /\.(png|jpe?g|gif|svg)$/i;

type Paint = (text: string) => string;
const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const PAINT = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  cyan: ansi(36, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  red: ansi(31, 39),
} as const satisfies Record<string, Paint>;
const PLAIN: typeof PAINT = {
  bold: (t) => t,
  dim: (t) => t,
  cyan: (t) => t,
  green: (t) => t,
  yellow: (t) => t,
  red: (t) => t,
};

function painter(color: boolean): typeof PAINT {
  return color ? PAINT : PLAIN;
}

/** The buttons of a message flattened and numbered in row order, from `offset + 1`. */
export function numberButtons(buttons: Button[][] | undefined, offset = 0): NumberedButton[] {
  const flat = (buttons ?? []).flat();
  return flat.map((b, i) => ({ ...b, n: offset + i + 1 }));
}

/** Renders one bot message (without a trailing newline). */
export function renderMessage(
  message: Outgoing,
  files: SavedFile[],
  options: RenderOptions,
  buttons?: NumberedButton[],
): string {
  const p = painter(options.color);
  const width = Math.max(20, Math.min(options.width ?? 80, 100));
  const lines: string[] = [];
  if (message.title) {
    const head = `── ${message.title} `;
    lines.push(p.bold(head + '─'.repeat(Math.max(3, width - head.length))));
  }
  const body = renderBody(message.text, options.color);
  if (body) lines.push(body);
  for (const f of files) {
    const kind = IMAGE_FILE.test(f.name) ? 'image ' : '';
    lines.push(p.dim(`  saved ${kind}${f.name} (${formatBytes(f.bytes)}): ${f.path}`));
  }
  const choices = renderChoices(buttons ?? numberButtons(message.buttons), options.color);
  if (choices) lines.push(choices);
  return lines.join('\n');
}

/** Buttons as numbered choices, one per line: `  [1] Approve outline`. */
export function renderChoices(buttons: NumberedButton[], color: boolean): string {
  const p = painter(color);
  return buttons
    .map((b) => {
      const label =
        b.style === 'primary' ? p.green(b.label) : b.style === 'danger' ? p.red(b.label) : b.label;
      return `  ${p.bold(`[${b.n}]`)} ${label}`;
    })
    .join('\n');
}

/** Markdown-ish body text to terminal text. Code inside fences is never reformatted. */
export function renderBody(text: string, color: boolean): string {
  const p = painter(color);
  const out: string[] = [];
  let fence: string | null = null;
  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const fenceMatch = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(raw);
    if (fenceMatch) {
      if (fence === null) {
        fence = fenceMatch[1]!;
        out.push(p.dim(`    ┌─${fenceMatch[2] ? ` ${fenceMatch[2]} ` : ''}`));
      } else if (fenceMatch[1] === fence) {
        fence = null;
        out.push(p.dim('    └─'));
      } else {
        out.push(`    ${p.cyan(raw)}`);
      }
      continue;
    }
    if (fence !== null) {
      out.push(`    ${p.cyan(raw)}`);
      continue;
    }
    out.push(renderLine(raw, p));
  }
  if (fence !== null) out.push(p.dim('    └─'));
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
}

function renderLine(line: string, p: typeof PAINT): string {
  const heading = /^(#{1,6})\s+(.*)$/.exec(line);
  if (heading) {
    const text = inline(heading[2]!, p);
    return heading[1]!.length <= 2 ? p.bold(p.yellow(text.toUpperCase())) : p.bold(text);
  }
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${bullet[1]}  • ${inline(bullet[2]!, p)}`;
  const numbered = /^(\s*)(\d+)[.)]\s+(.*)$/.exec(line);
  if (numbered) return `${numbered[1]}  ${numbered[2]}. ${inline(numbered[3]!, p)}`;
  return inline(line, p);
}

/** `**bold**` and `` `code` ``; markers dropped in plain mode except code backticks. */
function inline(text: string, p: typeof PAINT): string {
  return text
    .replace(/\*\*([^*\n]+)\*\*/g, (_m, inner: string) => p.bold(inner))
    .replace(/`([^`\n]+)`/g, (m, inner: string) => (p === PLAIN ? m : p.cyan(inner)));
}

/** `1.2 KB` style sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Live usage totals, e.g. `tokens 1,234 in / 567 out · $0.0012`. */
export function renderUsage(
  totals: { calls: number; promptTokens: number; completionTokens: number; costUsd: number },
  color: boolean,
): string {
  const p = painter(color);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const cost = totals.costUsd > 0 ? ` · $${totals.costUsd.toFixed(4)}` : '';
  return p.dim(
    `  usage: ${totals.calls} model call${totals.calls === 1 ? '' : 's'}, tokens ${fmt(totals.promptTokens)} in / ${fmt(totals.completionTokens)} out${cost}`,
  );
}

/** Removes ANSI escape sequences (for tests and plain logs). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
