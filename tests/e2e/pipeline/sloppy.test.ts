/**
 * Issue 12: real models are sloppy. 200 seeds of the sloppy model (tests/fakes/sloppy-llm.ts), five
 * goals, driven through the real runner, router, store, analyser and sandbox with the `--auto`
 * policy, seeds in parallel sessions. Every session ends (shipped or cancelled) or waits at a gate
 * that offers Cancel; nothing throws; no session is left `working` with nothing driving it; and
 * Cancel then ends every waiting one.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decideAuto } from '../../../src/bots/terminal/auto.js';
import type { Logger } from '../../../src/logger.js';
import { parseState } from '../../../src/pipeline/types.js';
import { sloppyGoal, sloppyResponder } from '../../fakes/sloppy-llm.js';
import { type Harness, startHarness } from './harness.js';

/** This file's own sandbox UIDs (issue 12's range 64000–64400). */
const UID_BASE = 64001;
const SEEDS = Number(process.env.FF2_SLOPPY_SEEDS ?? 200);
/** Sessions started at once (the machine has few cores; each session uses the analyser and sandbox). */
const WAVE = 25;
/** --auto actions one session may take before the test calls it a loop. */
const MAX_ACTIONS = 40;

/** Gates where a person's words become a change request. */
const SAYS_CHANGE = new Set(['after_repairs', 'check_or_script', 'give_feedback', 'approve_run']);
const CHANGE_REQUEST = 'please also print the total at the end';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function recordingLogger(errors: string[]): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error(message, context) {
      errors.push(`${message} ${JSON.stringify(context ?? {})}`);
    },
    child: () => logger,
  };
  return logger;
}

/** One --auto move for the session of `thread`: true when it acted. */
async function autoStep(harness: Harness, thread: string): Promise<boolean> {
  const row = harness.session(thread);
  if (row.status !== 'waiting') return false;
  const state = parseState(row.state);
  const newest = state.openButtons.at(-1);
  const buttons = (newest?.buttons ?? []).flat().map((b, i) => ({ ...b, n: i + 1 }));
  const decision = decideAuto(row.stage, state.lastRun?.ok, buttons);
  if (decision.kind === 'stop') return false;
  if (decision.kind === 'say') await harness.chat.say(decision.text, { threadId: thread });
  else await harness.chat.click(decision.button.label, { threadId: thread });
  return true;
}

describe('the sloppy model', () => {
  it(
    `${SEEDS} seeds: every session ships, is cancelled, or waits at a gate offering Cancel`,
    async () => {
      const errors: string[] = [];
      h = await startHarness(
        sloppyResponder(),
        { FF2_SANDBOX_TIMEOUT_S: '2', FF2_MAX_REPAIRS: '2', FF2_SANDBOX_SLOTS: '4' },
        undefined,
        {
          logger: recordingLogger(errors),
          memoAnalyze: true,
          uidBase: UID_BASE,
          // Thousands of commits, each fsync'ed: a RAM-backed folder keeps the real SQLite file fast.
          ...(existsSync('/dev/shm') ? { parentDir: '/dev/shm' } : {}),
        },
      );
      const threads = Array.from({ length: SEEDS }, (_, seed) => `s${seed}`);
      const actions = new Map<string, number>();
      for (let start = 0; start < SEEDS; start += WAVE) {
        const wave = threads.slice(start, start + WAVE);
        await Promise.all(wave.map((t, i) => h!.chat.startSession(sloppyGoal(start + i), { threadId: t })));
        // --auto until every session stops; then, like a person, one change request in words where
        // --auto stopped (after the repair limit, a failed run…), and --auto again.
        for (const person of [false, true]) {
          if (person) {
            await h.app.idle();
            for (const t of wave)
              if (SAYS_CHANGE.has(h.session(t).stage)) await h.chat.say(CHANGE_REQUEST, { threadId: t });
          }
          for (;;) {
            await h.app.idle();
            let moved = false;
            for (const t of wave) {
              if ((actions.get(t) ?? 0) >= MAX_ACTIONS) continue;
              if (await autoStep(h, t)) {
                actions.set(t, (actions.get(t) ?? 0) + 1);
                moved = true;
              }
            }
            if (!moved) break;
          }
        }
      }
      await h.app.idle();

      const outcomes: Record<string, number> = {};
      for (const t of threads) {
        const row = h.session(t);
        outcomes[`${row.status}:${row.stage}`] = (outcomes[`${row.status}:${row.stage}`] ?? 0) + 1;
        expect(row.status, `seed ${t} is ${row.stage}`).not.toBe('working');
        expect(row.status, `seed ${t} failed: ${JSON.stringify(h.store.listEvents(row.id).at(-1))}`).not.toBe(
          'failed',
        );
        expect(actions.get(t) ?? 0, `seed ${t} looped`).toBeLessThan(MAX_ACTIONS);
        if (row.status === 'waiting') {
          const state = parseState(row.state);
          const cancel = state.openButtons
            .flatMap((m) => m.buttons.flat())
            .some((b) => b.action === 'cancel');
          expect(cancel, `seed ${t} waits at ${row.stage} without a Cancel button`).toBe(true);
        }
      }
      const reasons: Record<string, number> = {};
      for (const t of threads) {
        const why = parseState(h.session(t).state).paused?.reason.replace(/\(.*$/, '').trim();
        if (h.session(t).stage === 'retry_paused' && why) reasons[why] = (reasons[why] ?? 0) + 1;
      }
      console.log(`pause reasons: ${JSON.stringify(reasons)}`);
      const runs = threads.flatMap((t) => h!.store.listRuns(h!.session(t).id));
      const byStatus: Record<string, number> = {};
      for (const r of runs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      const calls = threads.reduce((n, t) => n + h!.store.usageTotals(h!.session(t).id).calls, 0);
      console.log(
        `sloppy outcomes over ${SEEDS} seeds: ${JSON.stringify(outcomes)}; runs ${JSON.stringify(byStatus)} (${runs.reduce((ms, r) => ms + r.durationMs, 0)} ms); ${calls} model calls; ${(globalThis as { ff2Analyses?: { misses: number } }).ff2Analyses?.misses} analyses`,
      );
      expect(errors).toEqual([]);

      // Cancel ends every waiting session.
      for (const t of threads)
        if (h.session(t).status === 'waiting') await h.chat.click('Cancel', { threadId: t });
      await h.app.idle();
      for (const t of threads) expect(['done', 'cancelled']).toContain(h.session(t).status);
    },
    60_000 + SEEDS * 1_500,
  );
});
