import type { SentRequest, SlackServer, StoredMessage } from './slack-server.js';

/**
 * Buttons in the Slack stand-in's threads, for tests that drive `ff2 serve` children over HTTP:
 * find the newest message of a thread carrying a button, and click it as a person would.
 */
type Button = { action_id: string; text: { text: string } };

export interface FoundButton {
  channel: string;
  thread: string;
  message: StoredMessage;
  button: Button;
}

/** The newest message in `channel`'s thread `thread` with a button labelled `label`, if any. */
export function findButton(
  slack: SlackServer,
  channel: string,
  thread: string,
  label: string,
): FoundButton | undefined {
  for (const message of slack.thread(channel, thread).reverse()) {
    const button = ((message.blocks ?? []) as { elements?: Button[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.text?.text === label);
    if (button) return { channel, thread, message, button };
  }
  return undefined;
}

/** U1 clicks `found` (a block_actions request signed and sent to the bot at `botUrl`). */
export function clickButton(slack: SlackServer, botUrl: string, found: FoundButton): Promise<SentRequest> {
  const { channel, thread, message, button } = found;
  return slack.action(botUrl, {
    type: 'block_actions',
    user: { id: 'U1', username: 'ann' },
    channel: { id: channel, name: channel.toLowerCase() },
    container: { type: 'message', message_ts: message.ts, channel_id: channel, thread_ts: thread },
    message: { type: 'message', ts: message.ts, thread_ts: thread, text: 'x' },
    actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', action_ts: `${Date.now()}` }],
  });
}
