/** Reading who and where a Slack payload came from, and answering only the person who caused it. */
import type { EventPlace } from '../access.js';
import { escapeText } from './format.js';
import type { InboundContext } from './inbound.js';

/** Posts a private (ephemeral) message to `user` in `channel` (in the thread when given). */
export function postEphemeral(
  ctx: InboundContext,
  channel: string,
  user: string,
  threadTs: string | undefined,
) {
  return async (text: string): Promise<void> => {
    await ctx.app.client.chat.postEphemeral({
      channel,
      user,
      text: escapeText(text),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
  };
}

/** Answers through an interaction's response_url, privately, leaving the original message alone. */
export async function ephemeral(
  respond: (message: {
    text: string;
    response_type: 'ephemeral';
    replace_original: false;
  }) => Promise<unknown>,
  text: string,
): Promise<void> {
  await respond({ text: escapeText(text), response_type: 'ephemeral', replace_original: false });
}

export /**
 * The workspace and Enterprise Grid org of a command (`team_id`, `enterprise_id`), an event
 * envelope (`team_id`, `enterprise_id`) or an interaction (`team.id`, `enterprise.id`).
 */
function placeOf(body: unknown): EventPlace {
  const b = body as {
    team_id?: unknown;
    enterprise_id?: unknown;
    team?: { id?: unknown } | null;
    enterprise?: { id?: unknown } | null;
    user?: { team_id?: unknown };
  };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const team = str(b.team_id) ?? str(b.team?.id) ?? str(b.user?.team_id);
  const enterprise = str(b.enterprise_id) ?? str(b.enterprise?.id);
  return { ...(team ? { team } : {}), ...(enterprise ? { enterprise } : {}) };
}
