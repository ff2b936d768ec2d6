/**
 * Who holds the serving lease, and whether that holder can still be alive.
 *
 * A holder id is `ff2@<host>:<pid>:<start>:<random>`, where `<start>` is the process start time
 * from /proc/<pid>/stat (clock ticks since boot), so a PID reused by another process is told
 * apart from the holder. On start, a holder recorded on THIS host whose PID is gone, or whose PID
 * now belongs to a process started at another time, is dead: its lease is taken over at once
 * instead of waiting out the expiry. A holder on another host (or an id in an older format) keeps
 * the expiry rule, since its liveness cannot be checked from here.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface HolderId {
  host: string;
  pid: number;
  /** Process start time in clock ticks since boot; '' when unknown (no /proc). */
  start: string;
}

/** The start time of `pid` (field 22 of /proc/<pid>/stat); undefined when no such process. '' without /proc. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return pidExists(pid) ? '' : undefined;
    }
    return '';
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? '';
}

/** `kill(pid, 0)`: false only for "no such process". */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** A fresh holder id for this process. */
export function newHolderId(pid = process.pid, host = hostname()): string {
  return `ff2@${host}:${pid}:${processStartTime(pid) ?? ''}:${randomUUID().slice(0, 6)}`;
}

/** Parses a holder id; undefined for other formats (older ff2 versions). */
export function parseHolderId(id: string): HolderId | undefined {
  const m = /^ff2@(.+):(\d+):(\d*):[\w-]+$/.exec(id);
  if (!m) return undefined;
  return { host: m[1]!, pid: Number(m[2]), start: m[3]! };
}

/**
 * True when `holder` is certainly dead: recorded on this host, and its PID is gone or now belongs
 * to a process started at another time. False when it may be alive or cannot be checked.
 */
export function holderIsDead(holder: string, host = hostname()): boolean {
  const parsed = parseHolderId(holder);
  if (!parsed || parsed.host !== host) return false;
  if (parsed.pid === process.pid) return false;
  const start = processStartTime(parsed.pid);
  if (start === undefined) return true;
  return parsed.start !== '' && start !== '' && start !== parsed.start;
}
