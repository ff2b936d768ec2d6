/**
 * The `/ff2` application command: its definition (registered by `ff2 discord register`), how its
 * `goal` text is read (`help`, `list`, `cancel [id]` are commands; anything else is a goal), and
 * the bot permissions the invite URL asks for.
 */
import { MAX_GOAL_CHARS } from '../../pipeline/runner.js';

export const COMMAND_NAME = 'ff2';

/** The JSON body for `PUT /applications/:id/commands` (one chat-input command). */
export const FF2_COMMAND = {
  name: COMMAND_NAME,
  type: 1,
  description: 'Turn a goal into a tested Python script (or: help, list, cancel <session>)',
  options: [
    {
      type: 3,
      name: 'goal',
      description: 'What the script should do — or "help", "list", "cancel <session>"',
      required: true,
      max_length: MAX_GOAL_CHARS,
    },
    {
      type: 3,
      name: 'template',
      description: 'Start from a template (see "/ff2 goal:templates")',
      required: false,
      max_length: 40,
    },
    {
      type: 11,
      name: 'script',
      description: 'Start from your own .py script: the goal is the change to make',
      required: false,
    },
  ],
} as const;

export type ParsedGoal =
  | { kind: 'start'; goal: string }
  | { kind: 'command'; command: 'help' | 'list' | 'cancel' | 'templates'; args: string };

/** Splits the goal option into a new session or one of the thread-less commands. */
export function parseGoal(raw: string): ParsedGoal {
  const text = raw.trim();
  if (/^templates$/i.test(text)) return { kind: 'command', command: 'templates', args: '' };
  const match = /^(help|list|cancel)\b\s*(.*)$/is.exec(text);
  if (!text) return { kind: 'command', command: 'help', args: '' };
  if (match) {
    const command = match[1]!.toLowerCase() as 'help' | 'list' | 'cancel';
    const args = match[2]!.trim();
    // "list the files in a folder" is a goal, not the list command.
    if (command !== 'cancel' && args) return { kind: 'start', goal: text };
    if (command === 'cancel' && args.split(/\s+/).length > 1) return { kind: 'start', goal: text };
    return { kind: 'command', command, args };
  }
  return { kind: 'start', goal: text };
}

/**
 * View Channel, Send Messages, Send Messages in Threads, Create Public Threads, Attach Files,
 * Read Message History, Embed Links (API bit numbers).
 */
export const BOT_PERMISSIONS =
  (1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 35n) | (1n << 15n) | (1n << 16n) | (1n << 14n);

/** The OAuth2 URL that adds the bot with the permissions it needs. */
export function inviteUrl(appId: string): string {
  const params = new URLSearchParams({
    client_id: appId,
    scope: 'bot applications.commands',
    permissions: BOT_PERMISSIONS.toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
