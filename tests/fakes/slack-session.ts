import { eventually } from './serve-process.js';
import type { SlackServer, StoredMessage } from './slack-server.js';

/**
 * Drives ff2 sessions the way a person does in Slack, through the Slack stand-in: `/ff2 <goal>`,
 * then a click on a button by its label once it is in the thread. Every request goes to
 * `route()`, so several `ff2 serve` workers behind a load balancer are one round-robin function.
 * It reads only what Slack shows (the stand-in's messages), so it works whatever the store.
 *
 *   const drive = new SlackSessionDriver(slack, () => urls[i++ % urls.length]!);
 *   const thread = await drive.start(goal, { channel: 'C7', user: 'U7' });
 *   await drive.click(thread, await drive.button(thread, 'Approve'));
 */

/** Who acts and where: each session's channel and person. */
export interface SlackPlace {
  channel: string;
  user: string;
}

export interface SlackThread extends SlackPlace {
  /** The thread's root ts (the bot's "started:" message). */
  ts: string;
}

/** A button in a thread, as Slack shows it. */
export interface FoundButton {
  message: StoredMessage;
  actionId: string;
}

type Element = { action_id?: string; text?: { text?: string } };

export class SlackSessionDriver {
  readonly #slack: SlackServer;
  readonly #route: () => string;
  readonly #timeoutMs: number;

  /** @param timeoutMs how long each wait may take before it throws (default 120 s). */
  constructor(slack: SlackServer, route: () => string, timeoutMs = 120_000) {
    this.#slack = slack;
    this.#route = route;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Sends `/ff2 <goal>` as `place.user` in `place.channel` and resolves with the session's thread
   * once the bot has posted its root there (the first root in that channel naming the goal).
   * @throws when the command is not acknowledged with 200 or no root appears in time.
   */
  async start(goal: string, place: SlackPlace): Promise<SlackThread> {
    const sent = await this.#slack.command(this.#route(), {
      text: goal,
      channel_id: place.channel,
      user_id: place.user,
      user_name: place.user.toLowerCase(),
    });
    if (sent.status !== 200) throw new Error(`/ff2 answered ${sent.status}: ${sent.body}`);
    const root = await eventually(
      `the thread of "${goal}" in ${place.channel}`,
      () =>
        this.#slack.messages.find(
          (m) =>
            m.channel === place.channel &&
            !m.thread_ts &&
            m.text.includes('started:') &&
            m.text.includes(goal),
        ),
      this.#timeoutMs,
    );
    return { ...place, ts: root.ts };
  }

  /**
   * Waits until a message of the thread carries a button labelled `label` (the newest such
   * message) and, when given, `ready()` holds too (e.g. the stored stage is the gate's).
   */
  button(thread: SlackThread, label: string, ready: () => boolean = () => true): Promise<FoundButton> {
    return eventually(
      `the ${label} button in ${thread.channel}/${thread.ts}`,
      () => (ready() ? this.findButton(thread, label) : undefined),
      this.#timeoutMs,
    );
  }

  /** The newest message of the thread with a button labelled `label`, if any. */
  findButton(thread: SlackThread, label: string): FoundButton | undefined {
    for (const message of this.#slack.thread(thread.channel, thread.ts).reverse()) {
      const button = ((message.blocks ?? []) as { elements?: Element[] }[])
        .flatMap((b) => b.elements ?? [])
        .find((e) => e.text?.text === label && e.action_id);
      if (button) return { message, actionId: button.action_id! };
    }
    return undefined;
  }

  /** Waits until a message of the thread matches `match`; resolves with it. */
  reply(thread: SlackThread, what: string, match: (m: StoredMessage) => boolean): Promise<StoredMessage> {
    return eventually(
      `${what} in ${thread.channel}/${thread.ts}`,
      () => this.#slack.thread(thread.channel, thread.ts).find(match),
      this.#timeoutMs,
    );
  }

  /**
   * Clicks `button` as the thread's person (a signed block_actions request).
   * @throws when the click is not acknowledged with 200.
   */
  async click(thread: SlackThread, button: FoundButton): Promise<void> {
    const { message } = button;
    const sent = await this.#slack.action(this.#route(), {
      type: 'block_actions',
      user: { id: thread.user, username: thread.user.toLowerCase() },
      channel: { id: thread.channel, name: thread.channel.toLowerCase() },
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: thread.channel,
        thread_ts: thread.ts,
      },
      message: { type: 'message', ts: message.ts, thread_ts: thread.ts, text: message.text },
      actions: [{ type: 'button', action_id: button.actionId, block_id: 'b', action_ts: `${Date.now()}` }],
    });
    if (sent.status !== 200) throw new Error(`the click answered ${sent.status}: ${sent.body}`);
  }
}
