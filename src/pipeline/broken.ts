/**
 * A session whose stored state cannot be read (or whose step failed in a way no stage expected)
 * must never freeze: it is ended once, with one message in the thread that says so and attaches
 * the last good script version, and it is never resumed again (its status is final). Pure: the
 * runner supplies the row and the last version and commits the returned step.
 */
import type { SessionRow, StepCommit } from '../store/types.js';
import { toPayload } from './outbox-payload.js';
import type { Draft } from './types.js';

export type BrokenEnd = 'failed' | 'cancelled';

/**
 * The commit that ends a broken session: stage and status `end`, the state left as stored (for
 * `ff2 show`/`export` and a post-mortem), an event with the error, and one message in the thread.
 */
export function endBrokenSession(
  row: Pick<SessionRow, 'id' | 'threadKey'>,
  error: string,
  lastVersion: { number: number; code: string } | undefined,
  end: BrokenEnd,
  actor = 'bot',
): StepCommit {
  const attached = lastVersion
    ? ` Its last good version (v${lastVersion.number}) is attached.`
    : ' No script version was written yet.';
  const draft: Draft = {
    title: end === 'cancelled' ? 'Cancelled' : 'Session stopped',
    text:
      end === 'cancelled'
        ? `Cancelled. This session had hit an internal error, so nothing else will run in it.${attached}`
        : `This session hit an internal error and has stopped; nothing else will run in it.${attached} Start a new session with the goal to try again.`,
    ...(lastVersion
      ? {
          files: [
            { name: `script-v${lastVersion.number}.py`, text: lastVersion.code, mime: 'text/x-python' },
          ],
        }
      : {}),
  };
  return {
    patch: { stage: end, status: end },
    events: [{ type: 'internal_error', actor, data: { error: error.slice(0, 2000), end } }],
    outbox: [{ threadKey: row.threadKey, payload: toPayload(draft, row.id) }],
  };
}

/** A one-line description of why a state did not parse (first zod issue, path included). */
export function stateProblem(error: unknown): string {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    const issue = error.issues[0] as { path?: unknown[]; message?: string } | undefined;
    if (issue) return `state.${(issue.path ?? []).join('.')}: ${issue.message ?? 'invalid'}`;
  }
  return error instanceof Error ? error.message : String(error);
}
