/**
 * What the router checks before it downloads a person's attachment, and the words it says when it
 * will not: a plain, safe name; at most N files per message; a per-file size; per-session count and
 * total bytes. `attachmentRefusal` is pure; `takeAttachment` applies it, downloads and stores.
 */
import type { HumanInput } from '../pipeline/gates.js';
import type { SessionRow, SessionStore } from '../store/types.js';
import type { FileEvent, StartScript } from './types.js';

export interface FileLimits {
  /** Largest file, in bytes (FF2_MAX_INPUT_MB). */
  maxFileBytes: number;
  /** Files taken from one message (FF2_MAX_FILES_PER_MESSAGE). */
  perMessage: number;
  /** Files a session may hold (FF2_MAX_FILES_PER_SESSION). */
  perSession: number;
  /** Total bytes a session may hold (FF2_MAX_SESSION_INPUT_MB). */
  sessionBytes: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxFileBytes: 10 * 1024 * 1024,
  perMessage: 5,
  perSession: 20,
  sessionBytes: 50 * 1024 * 1024,
};

/** Why a name cannot be a sandbox input file, or undefined when it can. */
export function fileNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 120) return 'its name must be 1 to 120 characters';
  if (name.includes('/') || name.includes('\\')) return 'its name contains a path separator';
  if (name.includes('..')) return 'its name contains ".."';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'its name contains control characters';
  if (name === '.' || name.toLowerCase() === 'main.py') return `"${name}" is reserved for the script itself`;
  return undefined;
}

const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** The first reason not to take this file, as a sentence for its sender; undefined to take it. */
export function attachmentRefusal(
  file: { name: string; size: number; index?: number; filesInMessage?: number },
  held: { count: number; bytes: number },
  limits: FileLimits,
): string | undefined {
  const shown = file.name.slice(0, 120);
  const nameProblem = fileNameProblem(file.name);
  if (nameProblem) return `ff2 did not take "${shown}": ${nameProblem}. Rename it and attach it again.`;
  if ((file.index ?? 0) >= limits.perMessage)
    return `ff2 took only the first ${limits.perMessage} files of that message (FF2_MAX_FILES_PER_MESSAGE); attach "${shown}" again in another message.`;
  if (file.size > limits.maxFileBytes) return tooLarge(shown, limits);
  if (held.count >= limits.perSession)
    return `ff2 did not take "${shown}": this session already holds ${held.count} files, the limit (FF2_MAX_FILES_PER_SESSION=${limits.perSession}).`;
  if (held.bytes + file.size > limits.sessionBytes)
    return `ff2 did not take "${shown}": this session holds ${mb(held.bytes)} of files and the limit is ${mb(limits.sessionBytes)} (FF2_MAX_SESSION_INPUT_MB).`;
  return undefined;
}

/** The refusal for a file over the per-file limit (also when the download finds it larger). */
export function tooLarge(name: string, limits: FileLimits): string {
  return `"${name}" is larger than the ${mb(limits.maxFileBytes)} input limit (FF2_MAX_INPUT_MB), so ff2 did not take it.`;
}

/**
 * A steering person's attachment: checked (name, caps) BEFORE it is downloaded, then stored once
 * per session by hash. Returns the input naming its blob, or undefined after telling the person why not.
 */
export async function takeAttachment(
  store: Pick<SessionStore, 'blobUsage' | 'putBlob'>,
  session: SessionRow,
  event: FileEvent,
  limits: FileLimits,
  say: (text: string) => Promise<void>,
): Promise<HumanInput | undefined> {
  const announced = { ...event, size: event.size ?? event.bytes?.byteLength ?? 0 };
  const refusal = attachmentRefusal(announced, store.blobUsage(session.id), limits);
  if (refusal) return void (await say(refusal));
  const bytes = event.bytes ?? (await event.download?.(limits.maxFileBytes));
  if (!bytes || bytes.byteLength > limits.maxFileBytes)
    return void (await say(tooLarge(event.name.slice(0, 120), limits)));
  const held = store.blobUsage(session.id);
  if (held.bytes + bytes.byteLength > limits.sessionBytes) {
    const over = attachmentRefusal({ ...announced, size: bytes.byteLength }, held, limits);
    return void (await say(over ?? tooLarge(event.name, limits)));
  }
  const blob = store.putBlob(session.id, event.name, bytes);
  return {
    kind: 'file',
    name: event.name,
    blobId: blob.id,
    size: blob.size,
    ...(event.text ? { text: event.text } : {}),
  };
}

/**
 * The script attached to a start request, downloaded (the router calls this only after the access
 * lists and the quotas); undefined when it is larger than `maxBytes`, announced or found so.
 */
export async function downloadStartScript(
  script: StartScript,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  if ((script.size ?? 0) > maxBytes) return undefined;
  const bytes = script.bytes ?? (await script.download?.(maxBytes));
  return bytes && bytes.byteLength <= maxBytes ? bytes : undefined;
}
