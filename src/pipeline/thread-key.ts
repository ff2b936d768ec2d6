/**
 * Thread keys: the opaque, stable text `platform:channelId:threadId` a session and its outbox rows
 * are stored under. Only these functions build or read one (channel ids never contain ':'; thread
 * ids may). The empty thread id addresses the channel itself (the team review card).
 */

/** The parts of a thread key; the chat edge narrows `platform` to its own union. */
export interface ThreadKeyParts<P extends string = string> {
  platform: P;
  channelId: string;
  threadId: string;
}

export function encodeThreadKey(thread: ThreadKeyParts): string {
  return `${thread.platform}:${thread.channelId}:${thread.threadId}`;
}

/**
 * Inverse of encodeThreadKey.
 * @throws Error for a text that is not a thread key.
 */
export function decodeThreadKey<P extends string = string>(key: string): ThreadKeyParts<P> {
  const first = key.indexOf(':');
  const second = key.indexOf(':', first + 1);
  if (first < 0 || second < 0) throw new Error(`not a thread key: ${key}`);
  return {
    platform: key.slice(0, first) as P,
    channelId: key.slice(first + 1, second),
    threadId: key.slice(second + 1),
  };
}

/** The key of the channel a thread lives in (`platform:channelId:`). */
export function channelKeyOf(threadKey: string): string {
  return encodeThreadKey({ ...decodeThreadKey(threadKey), threadId: '' });
}
