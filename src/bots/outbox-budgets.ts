/**
 * Platform-wide rate limits of one platform's outbox, beside the per-channel spacing:
 * - every request (`maxPerSecond`: Discord's bot-wide 50/s, less room for slash-command replies):
 *   one token bucket that keeps half of itself for direct answers to a person, so progress never
 *   spends what a click's answer needs;
 * - edits (`editsPerMinute`: Slack's chat.update tier): progress edits (status lines) stay within
 *   the rate; the edit that answers a person (closing the clicked buttons) is never held back by
 *   it — it still counts, so progress waits longer after a burst of clicks.
 *
 * `claim` fills the free delivery slots in passes, most permissive first; tokens are taken as rows
 * launch (`take`), so each pass sees what the previous one used.
 */
import type { ClaimOptions, OutboxRow } from '../store/types.js';
import { ChannelPacer } from './outbox-pacing.js';
import type { ChatAdapter } from './types.js';

type Room = { answers: number; background: number };
type Pass = Pick<ClaimOptions, 'edits'> & { answersOnly: boolean };
const UNLIMITED: Room = { answers: Number.POSITIVE_INFINITY, background: Number.POSITIVE_INFINITY };
const KEY = '*';

/** A row that edits a message already delivered (a status line, closed buttons). */
export function isEdit(row: Pick<OutboxRow, 'payload'>): boolean {
  const p = row.payload as { replacesKey?: unknown } | null;
  return Boolean(p && typeof p === 'object' && typeof p.replacesKey === 'string');
}

export class LaneBudgets {
  readonly #all: ChannelPacer | undefined;
  readonly #edits: ChannelPacer | undefined;

  constructor(adapter: Pick<ChatAdapter, 'maxPerSecond' | 'editsPerMinute'>) {
    // A quarter second's worth at once (no one-second window sees more than 1.25× the rate), half kept.
    const perSecond = adapter.maxPerSecond ?? 0;
    this.#all = perSecond > 0 ? bucket(1000 / perSecond, Math.ceil(perSecond / 4)) : undefined;
    // Six seconds' worth at once; answers may overdraw it (see above).
    const perMinute = adapter.editsPerMinute ?? 0;
    this.#edits = perMinute > 0 ? bucket(60_000 / perMinute, Math.ceil(perMinute / 10)) : undefined;
  }

  /** True when neither budget is set (one claim of anything fills the slots). */
  get unlimited(): boolean {
    return !this.#all && !this.#edits;
  }

  /** Takes the tokens a launched row uses (an answer's edit may leave the edit bucket in debt). */
  take(row: OutboxRow, now: number): void {
    this.#all?.take(KEY, now);
    if (isEdit(row)) this.#edits?.take(KEY, now);
  }

  /**
   * Claims up to `free` rows through `claimOnce` (which launches them, taking their tokens).
   * Returns rows claimed and the ms until a budget that held rows back has room again.
   */
  claim(
    free: number,
    now: number,
    claimOnce: (limit: number, pass: Pass) => OutboxRow[],
  ): { claimed: number; nextMs: number } {
    let claimed = 0;
    const run = (limit: number, pass: Pass) => {
      const n = Math.min(free - claimed, limit);
      if (n > 0) claimed += claimOnce(n, pass).length;
    };
    const all = () => this.#room(this.#all, now);
    // Anything, within both budgets' room beyond what they keep for answers.
    run(Math.min(all().background, this.#room(this.#edits, now).background), {
      answersOnly: false,
      edits: 'all',
    });
    // Edits spent: posts, and the edits that answer a person.
    if (this.#edits) run(all().background, { answersOnly: false, edits: 'answers' });
    // Only the kept requests left: direct answers only.
    if (this.#all) run(all().answers, { answersOnly: true, edits: 'all' });
    return { claimed, nextMs: Math.min(this.#wait(this.#all, now), this.#wait(this.#edits, now)) };
  }

  #room(pacer: ChannelPacer | undefined, now: number): Room {
    return pacer ? pacer.room(KEY, now) : UNLIMITED;
  }

  /** Ms until a budget whose background room is spent has room again (an answer's, if that is spent too). */
  #wait(pacer: ChannelPacer | undefined, now: number): number {
    if (!pacer) return Number.POSITIVE_INFINITY;
    const room = pacer.room(KEY, now);
    if (room.background >= 1) return Number.POSITIVE_INFINITY;
    return pacer.waitMs(KEY, now, room.answers >= 1);
  }
}

function bucket(intervalMs: number, burst: number): ChannelPacer {
  const size = Math.max(2, burst);
  return new ChannelPacer(intervalMs, size, Math.max(1, Math.floor(size / 2)));
}
