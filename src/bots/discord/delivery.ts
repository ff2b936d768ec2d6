/**
 * At-most-once posting on Discord. Every post carries its outbox row id as `nonce` with
 * `enforce_nonce: true`: Discord answers a repeat from the same author within a few minutes with
 * the message it already created. Beyond that window, before re-sending a row that may already
 * have gone out, ff2 reads the thread's messages after the last one it knows it delivered and
 * looks for the bot's message with the same nonce, or the same content and attachment names
 * (a message and its attachments are created in one request, so files need no separate check).
 */
import { type Client, Routes } from 'discord.js';
import type { DeliveryMark, MessageRef } from '../types.js';
import type { DiscordBody } from './format.js';

const LIMIT = 100;

interface DiscordMessage {
  id: string;
  author?: { id?: string };
  nonce?: string | number;
  content?: string;
  attachments?: { filename?: string }[];
}

/** The nonce fields for a post of this row (Discord allows at most 25 characters). */
export function nonceFields(mark: DeliveryMark | undefined): { nonce?: string; enforce_nonce?: boolean } {
  return mark && mark.id.length <= 25 ? { nonce: mark.id, enforce_nonce: true } : {};
}

/** The bot's post of row `mark.id` in `channelId`, when it is already there. */
export async function findDelivered(
  client: Client,
  channelId: string,
  mark: DeliveryMark,
  body: DiscordBody,
  fileNames: readonly string[],
): Promise<MessageRef | undefined> {
  const query = new URLSearchParams({ limit: String(LIMIT) });
  if (mark.after) query.set('after', mark.after);
  const messages = (await client.rest.get(Routes.channelMessages(channelId), { query })) as DiscordMessage[];
  const botId = client.user?.id;
  const names = [...fileNames].sort().join('\n');
  const match = messages.find((m) => {
    if (botId && m.author?.id !== botId) return false;
    if (m.nonce !== undefined) return String(m.nonce) === mark.id;
    const attached = (m.attachments ?? [])
      .map((a) => a.filename ?? '')
      .sort()
      .join('\n');
    return m.content === body.content && attached === names;
  });
  return match ? { platform: 'discord', channelId, messageId: match.id } : undefined;
}
