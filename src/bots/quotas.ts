/**
 * Per-person session quotas (FF2_MAX_ACTIVE_SESSIONS_PER_USER, FF2_MAX_SESSIONS_PER_USER_PER_DAY).
 * A refusal names the limit, the person's count and when it frees up.
 */
import type { SessionStore } from '../store/types.js';

const DAY_MS = 86_400_000;

export interface Quotas {
  /** Sessions not ended per person; 0 = no limit. */
  activePerUser: number;
  /** Sessions started per person per UTC day; 0 = no limit. */
  perUserPerDay: number;
}

/** The refusal for `owner` at `now` (epoch ms), or undefined when they may start a session. */
export function quotaRefusal(
  store: Pick<SessionStore, 'countSessions'>,
  owner: string,
  quotas: Quotas,
  now: number,
): string | undefined {
  if (quotas.activePerUser > 0) {
    const active = store.countSessions({ ownerId: owner, active: true });
    if (active >= quotas.activePerUser)
      return `You have ${active} sessions in progress; the limit is ${quotas.activePerUser} per person (FF2_MAX_ACTIVE_SESSIONS_PER_USER). Ship or cancel one ("/ff2 list" shows them, "/ff2 cancel <id>" ends one), then start again.`;
  }
  if (quotas.perUserPerDay > 0) {
    const dayStart = now - (now % DAY_MS);
    const today = store.countSessions({ ownerId: owner, since: dayStart });
    if (today >= quotas.perUserPerDay) {
      const minutes = Math.ceil((dayStart + DAY_MS - now) / 60_000);
      return `You have started ${today} sessions today; the limit is ${quotas.perUserPerDay} a day (FF2_MAX_SESSIONS_PER_USER_PER_DAY). It resets at 00:00 UTC, in ${Math.floor(minutes / 60)} h ${minutes % 60} min.`;
    }
  }
  return undefined;
}
