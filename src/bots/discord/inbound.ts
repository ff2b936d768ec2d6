/**
 * Discord interactions and thread messages → ChatEvents. Every interaction is answered first
 * (defer within Discord's 3 s) and translated second; nothing here decides who may do what.
 */
import {
  type ButtonInteraction,
  ChannelType,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  type Message,
  MessageFlags,
  type ModalSubmitInteraction,
  ThreadAutoArchiveDuration,
} from 'discord.js';
import type { Logger } from '../../logger.js';
import { textFirst } from '../../pipeline/messages.js';
import type { EventPlace } from '../access.js';
import type { ChatEvent, ChatUser, StartScript, ThreadRef } from '../types.js';
import { COMMAND_NAME, parseGoal } from './command.js';
import { decodeCustomId } from './custom-id.js';
import { CONTENT_LIMIT } from './format.js';

const NO_PINGS = { parse: [] as [] };
const MODAL_TEXT_ID = 'text';

export interface InboundContext {
  client: Client;
  logger: Logger;
  emit: (event: ChatEvent) => Promise<void>;
  download: (url: string, maxBytes: number) => Promise<Uint8Array | undefined>;
}

export async function handleInteraction(ctx: InboundContext, interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand()) {
    if (interaction.commandName === COMMAND_NAME) await onCommand(ctx, interaction);
  } else if (interaction.isButton()) {
    await onButton(ctx, interaction);
  } else if (interaction.isModalSubmit()) {
    await onModal(ctx, interaction);
  }
}

async function onCommand(ctx: InboundContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const parsed = parseGoal(interaction.options.getString('goal') ?? '');
  const user = userOf(interaction.user);
  if (parsed.kind === 'command') {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    let answered = false;
    const respond = responder(interaction, () => {
      const first = !answered;
      answered = true;
      return first;
    });
    await ctx.emit({
      kind: 'command',
      id: interaction.id,
      thread: threadOf(interaction),
      user,
      command: parsed.command,
      args: parsed.args,
      respond,
      place: placeOf(interaction),
    });
    if (!answered) await interaction.editReply({ content: 'Done.', allowedMentions: NO_PINGS });
    return;
  }
  await interaction.deferReply();
  const channel = interaction.channel ?? (await ctx.client.channels.fetch(interaction.channelId));
  if (
    !channel ||
    (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement)
  ) {
    await interaction.editReply({
      content: 'Start ff2 from a text channel (it opens a thread there for the session).',
      allowedMentions: NO_PINGS,
    });
    return;
  }
  let opened = false;
  // The thread is opened only once the router has admitted the request (access, quotas).
  const openThread = async (): Promise<string | undefined> => {
    try {
      const reply = await interaction.editReply({
        content: clip(`<@${user.id}> started: ${parsed.goal}`, CONTENT_LIMIT),
        allowedMentions: NO_PINGS,
      });
      const thread = await channel.threads.create({
        startMessage: reply.id,
        name: threadName(parsed.goal),
        autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
      });
      opened = true;
      return thread.id;
    } catch (error) {
      ctx.logger.warn('discord thread could not be opened', { error: String(error) });
      // Without a thread there is no session; say so instead of leaving "thinking…" forever.
      await interaction
        .followUp({
          content: 'ff2 could not open a thread here (does it have "Create Public Threads"?).',
          flags: MessageFlags.Ephemeral,
          allowedMentions: NO_PINGS,
        })
        .catch(() => undefined);
      return undefined;
    }
  };
  const followUp = responder(interaction, () => false);
  let cleared = false;
  const from = startOptions(ctx, interaction);
  await ctx.emit({
    kind: 'start',
    id: interaction.id,
    thread: { platform: 'discord', channelId: channel.id, threadId: '' },
    user,
    goal: parsed.goal,
    ...from,
    openThread,
    place: placeOf(interaction),
    // A refusal before the thread exists replaces the public "thinking…" with a private note.
    respond: async (text) => {
      if (!opened && !cleared) {
        cleared = true;
        await interaction.deleteReply().catch(() => undefined);
      }
      await followUp(text);
    },
  });
}

async function onButton(ctx: InboundContext, interaction: ButtonInteraction): Promise<void> {
  const decoded = decodeCustomId(interaction.customId);
  if (!decoded) {
    await interaction.deferUpdate();
    return;
  }
  const modal = textFirst(decoded.action);
  if (modal) {
    // A modal must be the first answer to the click, so it cannot follow a defer.
    await interaction.showModal({
      title: modal.title,
      custom_id: interaction.customId,
      components: [
        {
          type: 1,
          components: [
            {
              type: 4,
              custom_id: MODAL_TEXT_ID,
              label: modal.label,
              style: 2,
              required: true,
              max_length: 4000,
            },
          ],
        },
      ],
    });
    return;
  }
  await interaction.deferUpdate();
  await emitAction(ctx, interaction, decoded, decoded.value);
}

async function onModal(ctx: InboundContext, interaction: ModalSubmitInteraction): Promise<void> {
  const decoded = decodeCustomId(interaction.customId);
  if (interaction.isFromMessage()) await interaction.deferUpdate();
  else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  if (!decoded) return;
  await emitAction(ctx, interaction, decoded, interaction.fields.getTextInputValue(MODAL_TEXT_ID));
}

/** A click (or the text of the modal it opened) as an action event on the message that carried the button. */
async function emitAction(
  ctx: InboundContext,
  interaction: ButtonInteraction | ModalSubmitInteraction,
  decoded: { sessionId: string; action: string },
  value: string | undefined,
): Promise<void> {
  await ctx.emit({
    kind: 'action',
    id: interaction.id,
    thread: threadOf(interaction),
    user: userOf(interaction.user),
    sessionId: decoded.sessionId,
    action: decoded.action,
    ...(value !== undefined ? { value } : {}),
    ...(interaction.message
      ? {
          message: {
            platform: 'discord',
            channelId: interaction.message.channelId,
            messageId: interaction.message.id,
          },
        }
      : {}),
    respond: responder(interaction, () => false),
    place: placeOf(interaction),
  });
}

/** A thread message by a person in a thread ff2 opened: text → message event, attachments → file events. */
export async function handleMessage(ctx: InboundContext, message: Message): Promise<void> {
  const channel = message.channel;
  if (message.author.bot || message.system || !channel.isThread()) return;
  if (channel.ownerId !== ctx.client.user?.id || !channel.parentId) return;
  const thread: ThreadRef = { platform: 'discord', channelId: channel.parentId, threadId: channel.id };
  const user = userOf(message.author);
  const text = message.content;
  const place: EventPlace = message.guildId ? { guild: message.guildId } : {};
  let textSent = false;
  // Attachments are announced, not downloaded: the router checks the session and the sender first.
  const attachments = [...message.attachments.values()];
  for (const [index, attachment] of attachments.entries()) {
    await ctx.emit({
      kind: 'file',
      id: `${message.id}:${index}`,
      thread,
      user,
      name: attachment.name,
      size: attachment.size,
      download: (maxBytes) => ctx.download(attachment.url, maxBytes),
      index,
      filesInMessage: attachments.length,
      place,
      ...(!textSent && text ? { text } : {}),
    });
    textSent = true;
  }
  if (!textSent && text.trim())
    await ctx.emit({ kind: 'message', id: message.id, thread, user, text, place });
}

type Repliable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/** Ephemeral answers to the person who caused the interaction; the first may replace the deferred reply. */
function responder(interaction: Repliable, editFirst: () => boolean): (text: string) => Promise<void> {
  return async (text) => {
    const content = clip(text, CONTENT_LIMIT);
    if (editFirst()) await interaction.editReply({ content, allowedMentions: NO_PINGS });
    else await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
  };
}

function threadOf(interaction: Repliable): ThreadRef {
  const channel = interaction.channel;
  if (channel?.isThread() && channel.parentId) {
    return { platform: 'discord', channelId: channel.parentId, threadId: channel.id };
  }
  return { platform: 'discord', channelId: interaction.channelId ?? '', threadId: '' };
}

function placeOf(interaction: { guildId: string | null }): EventPlace {
  return interaction.guildId ? { guild: interaction.guildId } : {};
}

function userOf(user: { id: string; username: string; globalName: string | null }): ChatUser {
  return { id: user.id, name: user.globalName ?? user.username };
}

/** Discord thread names are at most 100 characters; the first line of the goal reads best. */
export function threadName(goal: string): string {
  const line = goal.split('\n', 1)[0]!.trim() || 'ff2 session';
  return clip(line, 90);
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * The `template` and `script` options of `/ff2`: a template name, and an attached .py announced
 * (the router downloads it once the sender passed the access lists and quotas; it is never run).
 */
function startOptions(
  ctx: InboundContext,
  interaction: ChatInputCommandInteraction,
): { template?: string; script?: StartScript } {
  const template = interaction.options.getString('template')?.trim();
  const attachment = interaction.options.getAttachment('script');
  return {
    ...(template ? { template } : {}),
    ...(attachment
      ? {
          script: {
            name: attachment.name,
            size: attachment.size,
            download: (maxBytes: number) => ctx.download(attachment.url, maxBytes),
          },
        }
      : {}),
  };
}
