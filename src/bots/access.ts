/**
 * Who may use the bot at all (FF2_ALLOWED_USERS / _CHANNELS / _TEAMS / _GUILDS). Each list holds
 * platform-qualified ids (`slack:U123`, `discord:1234`, or `slack:*` for everyone on a platform);
 * an empty list leaves its axis open. A non-empty user or channel list applies to every chat
 * platform (name `discord:*` to leave Discord open); team lists apply to Slack, guild lists to
 * Discord. The terminal and in-process adapters are the operator's own and always admitted.
 */
import type { Platform } from './types.js';

export interface AccessPolicy {
  users: readonly string[];
  channels: readonly string[];
  teams: readonly string[];
  guilds: readonly string[];
}

/** Where an event happened beyond its channel: Slack workspace / Enterprise, Discord guild. */
export interface EventPlace {
  team?: string;
  enterprise?: string;
  guild?: string;
}

export type AccessAxis = 'user' | 'channel' | 'team' | 'guild';
export type AccessVerdict = { ok: true } | { ok: false; axis: AccessAxis };

const CHAT_PLATFORMS: readonly Platform[] = ['slack', 'discord'];

function listed(list: readonly string[], platform: Platform, ids: readonly (string | undefined)[]): boolean {
  if (list.includes(`${platform}:*`)) return true;
  return ids.some((id) => id !== undefined && id !== '' && list.includes(`${platform}:${id}`));
}

/** Checks one event's user, channel and place against the policy (first failing axis). */
export function checkAccess(
  policy: AccessPolicy,
  platform: Platform,
  userId: string,
  channelId: string,
  place: EventPlace = {},
): AccessVerdict {
  if (!CHAT_PLATFORMS.includes(platform)) return { ok: true };
  if (policy.users.length > 0 && !listed(policy.users, platform, [userId]))
    return { ok: false, axis: 'user' };
  if (policy.channels.length > 0 && !listed(policy.channels, platform, [channelId]))
    return { ok: false, axis: 'channel' };
  if (
    platform === 'slack' &&
    policy.teams.length > 0 &&
    !listed(policy.teams, platform, [place.team, place.enterprise])
  )
    return { ok: false, axis: 'team' };
  if (platform === 'discord' && policy.guilds.length > 0 && !listed(policy.guilds, platform, [place.guild]))
    return { ok: false, axis: 'guild' };
  return { ok: true };
}

/** True when a Discord guild may keep the bot (no guild list, or the guild is in it). */
export function guildAllowed(policy: AccessPolicy, guildId: string): boolean {
  return policy.guilds.length === 0 || listed(policy.guilds, 'discord', [guildId]);
}

const AXIS_WORDS: Record<AccessAxis, string> = {
  user: 'for your account',
  channel: 'in this channel',
  team: 'in this workspace',
  guild: 'in this server',
};

/** The polite private refusal, naming who can grant access (the platform's approvers, else the operator). */
export function refusalText(axis: AccessAxis, platform: Platform, approvers: readonly string[]): string {
  const local = approvers
    .filter((a) => a.startsWith(`${platform}:`))
    .map((a) => a.slice(platform.length + 1));
  const who =
    local.length > 0
      ? `an ff2 approver (${local.slice(0, 5).join(', ')}) or whoever runs ff2 here`
      : 'whoever runs ff2 here';
  return `Sorry, ff2 is not enabled ${AXIS_WORDS[axis]}. Ask ${who} to add you to its access list.`;
}

/** One line per axis for the start-up log. */
export function describePolicy(policy: AccessPolicy): Record<string, string> {
  const show = (list: readonly string[]) => (list.length > 0 ? list.join(',') : 'anyone');
  return {
    users: show(policy.users),
    channels: show(policy.channels),
    teams: show(policy.teams),
    guilds: show(policy.guilds),
  };
}
