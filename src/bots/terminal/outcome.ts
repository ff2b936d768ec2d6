import type { SessionRow, UsageTotals } from '../../store/types.js';
import type { DriveOutcome } from './session.js';

/**
 * How a terminal session ends, in words and as an exit code: 0 shipped, 1 ended without shipping
 * (cancelled, failed, interrupted, input closed, a point only a person can decide, read-only).
 */
export function endOfSession(
  outcome: DriveOutcome,
  session: SessionRow | undefined,
): { code: number; line: string; event: Record<string, unknown> } {
  const id = session?.id ?? '?';
  const resume = `ff2 chat --resume ${id}`;
  const code = outcome.kind === 'shipped' ? 0 : 1;
  const lines: Record<DriveOutcome['kind'], string> = {
    shipped: `Shipped. Files are in the session folder; history: ff2 show ${id}`,
    ended: `Session ${session?.status ?? 'ended'} without shipping. History: ff2 show ${id}`,
    needs_person: `Stopped: ${'reason' in outcome ? outcome.reason : ''}. Continue with: ${resume}`,
    input_closed: `Input ended while ff2 was waiting for an answer; not shipped. Continue with: ${resume}`,
    interrupted: `Stopped; the session is kept. Continue with: ${resume}`,
    read_only: `Session ${id} belongs to ${session?.ownerId ?? 'someone else'}; shown read-only. To steer it: ${resume} --as-owner`,
  };
  return {
    code,
    line: lines[outcome.kind],
    event: { type: 'end', outcome: outcome.kind, session: id, stage: session?.stage ?? null, exitCode: code },
  };
}

/** Where a session stands, for a resume that will not drive it. */
export function describeSession(s: SessionRow, usage: UsageTotals): string {
  const cost = usage.costUsd > 0 ? `, $${usage.costUsd.toFixed(4)}` : '';
  return [
    `Session ${s.id} (${s.platform}, owner ${s.ownerId})`,
    `  goal:  ${s.goal}`,
    `  stage: ${s.stage} (${s.status}); ${usage.calls} model calls${cost}`,
    `  history: ff2 show ${s.id}`,
    '',
  ].join('\n');
}
