import type { Traceback, TracebackFrame } from './types.js';

const FRAME = /^ {2}File "(.+)", line (\d+), in (.+)$/;
const FAULT_FRAME = /^ {2}File "(.+)", line (\d+) in (.+)$/;
const EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;
const SYNTAX_HEAD = /^ {2}File "(.+)", line (\d+)$/;

/**
 * Reads the last Python traceback out of stderr: a normal "Traceback (most recent call last)"
 * block, a SyntaxError report of the main script, or a faulthandler dump ("Timeout (…)!" or
 * "Fatal Python error"). Returns null when stderr holds none. Frames are outermost first.
 */
export function parseTraceback(stderr: string): Traceback | null {
  const lines = stderr.replace(/\r\n/g, '\n').split('\n');
  return lastOf([parseDump(lines), parseRaised(lines), parseSyntax(lines)]);
}

type Found = { at: number; traceback: Traceback };

function lastOf(found: (Found | null)[]): Traceback | null {
  let best: Found | null = null;
  for (const f of found) if (f && (!best || f.at > best.at)) best = f;
  return best?.traceback ?? null;
}

function parseRaised(lines: string[]): Found | null {
  const start = lines.lastIndexOf('Traceback (most recent call last):');
  if (start < 0) return null;
  const frames: TracebackFrame[] = [];
  let i = start + 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const frame = FRAME.exec(line);
    if (frame) frames.push({ file: frame[1]!, line: Number(frame[2]), function: frame[3]! });
    else if (!line.startsWith(' ')) break;
  }
  const head = EXCEPTION.exec(lines[i] ?? '');
  if (!head) return { at: start, traceback: { type: 'UnknownError', message: '', frames } };
  const message = [head[2] ?? '', ...continuation(lines, i + 1)].join('\n').trim();
  return { at: start, traceback: { type: shortType(head[1]!), message, frames } };
}

/** A SyntaxError in main.py is printed without a "Traceback" header. */
function parseSyntax(lines: string[]): Found | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const head = /^(SyntaxError|IndentationError|TabError): (.*)$/.exec(lines[i] ?? '');
    if (!head) continue;
    for (let j = i - 1; j >= 0 && j >= i - 4; j--) {
      const where = SYNTAX_HEAD.exec(lines[j] ?? '');
      if (where) {
        const frame = { file: where[1]!, line: Number(where[2]), function: '<module>' };
        return { at: j, traceback: { type: head[1]!, message: head[2]!, frames: [frame] } };
      }
    }
  }
  return null;
}

/** faulthandler: "Timeout (0:00:02)!" or "Fatal Python error: …", then threads, most recent call first. */
function parseDump(lines: string[]): Found | null {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (/^Timeout \(\d+:\d\d:\d\d(\.\d+)?\)!$/.test(line) || line.startsWith('Fatal Python error: ')) {
      start = i;
      break;
    }
  }
  if (start < 0) return null;
  const head = lines[start]!;
  const frames: TracebackFrame[] = [];
  // The first thread listed is the one that was running; its frames come first.
  let inThread = false;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^(Current thread|Thread) 0x[0-9a-f]+ /.test(line)) {
      if (inThread) break;
      inThread = true;
      continue;
    }
    const frame = FAULT_FRAME.exec(line);
    if (frame && inThread) frames.push({ file: frame[1]!, line: Number(frame[2]), function: frame[3]! });
    else if (inThread && line.trim() === '') break;
  }
  frames.reverse();
  const timeout = head.startsWith('Timeout');
  return {
    at: start,
    traceback: {
      type: timeout ? 'Timeout' : 'FatalError',
      message: timeout
        ? `still running after ${head.slice(9, -2)}`
        : head.slice('Fatal Python error: '.length),
      frames,
    },
  };
}

/** Lines after the exception line that belong to its message (until a blank line or new block). */
function continuation(lines: string[], from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < lines.length && out.length < 20; i++) {
    const line = lines[i] ?? '';
    if (line === '' || line.startsWith('Traceback (') || line.startsWith('During handling')) break;
    out.push(line);
  }
  return out;
}

/** "json.decoder.JSONDecodeError" → "JSONDecodeError"; "_tkinter.TclError" → "TclError". */
function shortType(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}
