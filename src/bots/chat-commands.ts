/** The `/ff2 help | templates | list | cancel <id>` commands, answered privately to the sender. */
import type { SessionRow } from '../store/types.js';
import { loadTemplates, templateListText } from '../templates/loader.js';
import type { RouterConfig } from './router.js';
import type { CommandEvent } from './types.js';

const HELP =
  'Start a session with a goal (e.g. "/ff2 a tool that removes duplicate CSV rows"). In its thread: answer questions, approve the outline, run, then ship or reply with changes. Say "cancel" to stop.';

/**
 * Answers a command; for `cancel` the session to cancel once `maySteer` allowed it (the router
 * applies the cancel like a click), else undefined.
 */
export async function answerCommand(
  config: Pick<RouterConfig, 'store' | 'templatesDir'>,
  event: CommandEvent,
  actor: string,
  maySteer: (session: SessionRow) => boolean,
): Promise<SessionRow | undefined> {
  const { store } = config;
  const say = async (text: string): Promise<undefined> => {
    await event.respond?.(text).catch(() => {});
    return undefined;
  };
  if (event.command === 'help') return say(HELP);
  if (event.command === 'templates')
    return say(templateListText(loadTemplates(config.templatesDir).templates));
  if (event.command === 'list') {
    const rows = store.listSessions({ ownerId: actor, limit: 10 });
    const lines = rows.map((r) => `${r.id} · ${r.stage} · ${r.goal.slice(0, 60)}`);
    return say(lines.length > 0 ? lines.join('\n') : 'You have no sessions yet.');
  }
  const session = store.getSession(event.args.trim());
  if (!session) return say(`No session ${event.args.trim() || '(give its id)'}.`);
  if (!maySteer(session)) return say('Only the owner or an approver can cancel that session.');
  return session;
}
