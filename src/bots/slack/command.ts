/**
 * How `/ff2 <text>` (and a mention of the bot) is read: nothing or `help`, `list`, `cancel <id>`
 * are commands answered privately; anything else is the goal of a new session. Same rules as the
 * Discord `/ff2 goal:` option, so both front doors read a goal the same way.
 */

export type ParsedCommand =
  | { kind: 'start'; goal: string }
  | { kind: 'command'; command: 'help' | 'list' | 'cancel' | 'templates'; args: string };

export function parseCommandText(raw: string): ParsedCommand {
  const text = raw.trim();
  if (!text) return { kind: 'command', command: 'help', args: '' };
  if (/^templates$/i.test(text)) return { kind: 'command', command: 'templates', args: '' };
  const match = /^(help|list|cancel)\b\s*(.*)$/is.exec(text);
  if (!match) return { kind: 'start', goal: text };
  const command = match[1]!.toLowerCase() as 'help' | 'list' | 'cancel';
  const args = match[2]!.trim();
  // "list the files in a folder" is a goal, not the list command; so is "cancel all my meetings".
  if (command !== 'cancel' && args) return { kind: 'start', goal: text };
  if (command === 'cancel' && args.split(/\s+/).length > 1) return { kind: 'start', goal: text };
  return { kind: 'command', command, args };
}

/** Removes the leading `<@BOTID>` of an app mention, leaving the goal. */
export function stripMention(text: string, botUserId: string | undefined): string {
  const own = botUserId
    ? new RegExp(`^\\s*<@${botUserId}(\\|[^>]*)?>[\\s,:]*`)
    : /^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>[\s,:]*/;
  return text.replace(own, '').trim();
}

/**
 * Undoes Slack's escaping of what a person typed (`&lt;` → `<`), and turns `<@U1>`/`<#C1|name>`/
 * `<https://x|label>` into readable text. The result is plain text the pipeline may show again
 * (the formatter escapes it on the way out).
 */
export function unescapeSlackText(text: string): string {
  return text
    .replace(
      /<([@#!])([^>|]*)(\|([^>]*))?>/g,
      (_m, sigil: string, ref: string, _l, label: string | undefined) => {
        const name = (label ?? ref.split('^', 1)[0] ?? '').replace(/^[@#]/, '');
        return `${sigil === '#' ? '#' : '@'}${name}`;
      },
    )
    .replace(/<([^>|]+)\|([^>]*)>/g, '$2 ($1)')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
