/**
 * A start request → a new session, or the sentence that refuses it: the template or script asked
 * for, the goal's length, one session per thread, the sender's quotas, then (only then) the
 * attached script's download, the thread, and the session row.
 */
import { MAX_GOAL_CHARS } from '../pipeline/runner.js';
import type { SessionRow } from '../store/types.js';
import { resolveStart } from '../templates/start.js';
import { DEFAULT_FILE_LIMITS, downloadStartScript, tooLarge } from './attachments.js';
import { quotaRefusal } from './quotas.js';
import type { RouterConfig } from './router.js';
import { isChatPlatform } from './router-support.js';
import { encodeThreadKey, type StartEvent } from './types.js';

/** The new session (the caller drives it), or undefined after telling the person why not. */
export async function startSession(
  config: Pick<
    RouterConfig,
    'store' | 'runner' | 'templatesDir' | 'quotas' | 'now' | 'fileLimits' | 'randomId' | 'onCommitted'
  >,
  event: StartEvent,
  threadKey: string,
  actor: string,
): Promise<SessionRow | undefined> {
  const { store, runner } = config;
  // The script is checked by name now; its bytes are fetched only once the sender passed the quota.
  const script = event.script;
  const from = resolveStart(
    { ...event, script: script && { name: script.name, bytes: script.bytes ?? new Uint8Array(0) } },
    config.templatesDir,
  );
  const goal = 'goal' in from ? from.goal : '';
  const refuse = async (text: string): Promise<undefined> => {
    if (event.respond) await event.respond(text);
    else store.enqueue(null, [{ threadKey, payload: { text } }]);
    config.onCommitted?.();
    return undefined;
  };
  if ('error' in from) return refuse(from.error);
  if (goal === '')
    return refuse('Tell me what the script should do, e.g. /ff2 remove duplicate rows from a CSV file.');
  if (goal.length > MAX_GOAL_CHARS)
    return refuse(
      `That goal is ${goal.length} characters; the limit is ${MAX_GOAL_CHARS}. Please shorten it to the essentials.`,
    );
  if (event.thread.threadId !== '' && store.getSessionByThread(threadKey))
    return refuse('This thread already has a session; start a new one in a new thread.');
  const overQuota =
    isChatPlatform(event.thread.platform) && config.quotas
      ? quotaRefusal(store, actor, config.quotas, (config.now ?? Date.now)())
      : undefined;
  if (overQuota) return refuse(overQuota);
  let start = from.start;
  if (start?.kind === 'script' && script && !script.bytes) {
    const limits = config.fileLimits ?? DEFAULT_FILE_LIMITS;
    const bytes = await downloadStartScript(script, limits.maxFileBytes);
    if (!bytes) return refuse(tooLarge(script.name, limits));
    start = { ...start, bytes };
  }
  let thread = event.thread;
  if (event.openThread) {
    const threadId = await event.openThread();
    if (threadId === undefined) return undefined;
    thread = { ...thread, threadId };
  }
  const row = runner.create(
    {
      id: config.randomId(),
      threadKey: encodeThreadKey(thread),
      platform: event.thread.platform,
      ownerId: actor,
      goal,
      start,
    },
    { id: event.id, platform: event.thread.platform },
  );
  config.onCommitted?.();
  return row;
}
