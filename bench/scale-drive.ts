/**
 * Drives N sessions of the nap goal through the Slack stand-in and times them (see scale.ts for
 * the figures' definitions), then checks in the store that every session reached its result with
 * one passing run whose every sandbox run slept ≥ 1 s. Throws when one did not.
 */
import type { SessionStore } from '../src/store/types.js';
import { NAP_GOAL } from '../tests/fakes/nap-goal.js';
import type { SlackServer } from '../tests/fakes/slack-server.js';
import { SlackSessionDriver, type SlackThread } from '../tests/fakes/slack-session.js';

const RESULT = /Run 1: (passed|failed|not run)/;

/** Drives `n` sessions, `tag` naming their channels (`C<tag><i>`) and people (`U<tag><i>`). */
export async function driveSessions(
  slack: SlackServer,
  urls: readonly string[],
  n: number,
  tag: string,
  timeoutMs = 300_000,
): Promise<{ steps: number[]; runSeconds: number }> {
  let next = 0;
  // A load balancer in front of Slack HTTP mode: each request to the next worker.
  const drive = new SlackSessionDriver(slack, () => urls[next++ % urls.length]!, timeoutMs);
  const steps: number[] = [];
  const timed = async <T>(step: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await step();
    steps.push(performance.now() - t0);
    return value;
  };
  const atRun = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const place = { channel: `C${tag}${i}`, user: `U${tag}${i}` };
      let thread!: SlackThread;
      const approve = await timed(async () => {
        thread = await drive.start(`${NAP_GOAL} (#${i})`, place);
        return drive.button(thread, 'Approve');
      });
      const run = await timed(async () => {
        await drive.click(thread, approve);
        return drive.button(thread, 'Run');
      });
      return { thread, run };
    }),
  );
  // The run phase: every session is clicked Run at once; it ends with the last result.
  const started = performance.now();
  await Promise.all(
    atRun.map(({ thread, run }) =>
      timed(async () => {
        await drive.click(thread, run);
        const result = await drive.reply(thread, 'the run result', (m) => RESULT.test(m.text));
        if (!result.text.includes('Run 1: passed')) throw new Error(`a run did not pass: ${result.text}`);
      }),
    ),
  );
  return { steps, runSeconds: (performance.now() - started) / 1000 };
}

/**
 * Counts the sandbox runs in the store and checks each session: at its result (give_feedback),
 * one run `ok`, every sandbox run of it `ok` and ≥ 1 s long.
 * @throws naming the first session that is not so.
 */
export function verifiedRuns(store: SessionStore, n: number): number {
  const sessions = store.listSessions({ limit: 10_000 });
  if (sessions.length !== n) throw new Error(`${sessions.length} sessions stored, ${n} driven`);
  let runs = 0;
  for (const s of sessions) {
    const records = store.listRuns(s.id);
    const checks = records.flatMap(
      (r) => (r.result as { checks?: { status: string; durationMs: number }[] }).checks ?? [],
    );
    const bad =
      s.stage !== 'give_feedback' ||
      records.length !== 1 ||
      records[0]!.status !== 'ok' ||
      checks.length === 0 ||
      checks.some((c) => c.status !== 'ok' || c.durationMs < 1000);
    if (bad)
      throw new Error(
        `session ${s.id} did not run as expected: stage ${s.stage}, runs ${JSON.stringify(records)}`,
      );
    runs += checks.length;
  }
  return runs;
}

/** The p99 of `values` (nearest rank), rounded to ms. */
export function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!);
}
