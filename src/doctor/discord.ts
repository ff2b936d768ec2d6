import { createDiscordRest } from '../bots/discord/create.js';
import { toAdapterError } from '../bots/discord/errors.js';
import type { DoctorCheck } from './types.js';

/** Application flags: the privileged MessageContent intent, full or limited (unverified bots). */
const MESSAGE_CONTENT = (1 << 18) | (1 << 19);

/**
 * When Discord is configured: the token is accepted, and the MessageContent intent (needed to
 * read replies in session threads) is enabled for the application.
 */
export const discordCheck: DoctorCheck = {
  name: 'discord',
  async run(config) {
    const rest = await createDiscordRest(config);
    if (!config.discord || !rest)
      return { name: 'discord', ok: true, detail: 'not configured (DISCORD_TOKEN unset)' };
    try {
      const app = (await rest.get('/applications/@me', { signal: AbortSignal.timeout(10_000) })) as {
        id: string;
        name?: string;
        flags?: number;
      };
      if (app.id !== config.discord.appId) {
        return {
          name: 'discord',
          ok: false,
          detail: `the token belongs to application ${app.id}, not DISCORD_APP_ID ${config.discord.appId}`,
          fix: 'copy DISCORD_TOKEN and DISCORD_APP_ID from the same application in the Discord developer portal',
        };
      }
      if (((app.flags ?? 0) & MESSAGE_CONTENT) === 0) {
        return {
          name: 'discord',
          ok: false,
          detail: `application ${app.name ?? app.id}: the MessageContent intent is off, so ff2 cannot read thread replies`,
          fix: 'Discord developer portal → your app → Bot → Privileged Gateway Intents → enable Message Content Intent',
        };
      }
      return {
        name: 'discord',
        ok: true,
        detail: `application ${app.name ?? app.id}, MessageContent intent on`,
      };
    } catch (error) {
      return {
        name: 'discord',
        ok: false,
        detail: toAdapterError(error, 'GET /applications/@me').message,
        fix: 'check DISCORD_TOKEN (developer portal → Bot → Reset Token) and that discord.com is reachable (or DISCORD_API_URL)',
      };
    }
  },
};
