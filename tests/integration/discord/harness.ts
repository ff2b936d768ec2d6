/**
 * ff2 behind the real discord.js client, against the REST + Gateway stand-in: a real SQLite file,
 * the real sandbox and analyser, the scripted model. Helpers click buttons by label, post thread
 * messages and wait until the app has handled them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../../../src/app.js';
import type { DiscordAdapter } from '../../../src/bots/discord/adapter.js';
import { createDiscordFrontDoor } from '../../../src/bots/discord/create.js';
import type { ChatAdapter, ChatEvent, MessageRef, Outgoing, ThreadRef } from '../../../src/bots/types.js';
import { type Config, loadConfig } from '../../../src/config.js';
import { createRecordingProvider } from '../../../src/llm/usage.js';
import { silentLogger } from '../../../src/logger.js';
import { createToolchain } from '../../../src/python/create.js';
import { createSandbox } from '../../../src/sandbox/create.js';
import type { RunRequest, Sandbox } from '../../../src/sandbox/types.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';
import { type DiscordStandIn, type Json, until } from '../../fakes/discord-server.js';
import { sandboxOnUids } from '../../fakes/own-uids.js';
import { ScriptedLlm, type ScriptResponder } from '../../fakes/scripted-llm.js';

export const OWNER = '1500000000000000001';
export const STRANGER = '1500000000000000002';

/** Wraps the Discord adapter to know when the app has finished handling each event. */
class Handled implements ChatAdapter {
  readonly platform = 'discord' as const;
  readonly ids = new Set<string>();
  readonly paceBy;
  readonly perChannelIntervalMs;
  readonly perChannelBurst;
  readonly maxInFlight;
  readonly maxPerSecond;
  constructor(readonly inner: DiscordAdapter) {
    this.paceBy = inner.paceBy;
    this.perChannelIntervalMs = inner.perChannelIntervalMs;
    this.perChannelBurst = inner.perChannelBurst;
    this.maxInFlight = inner.maxInFlight;
    this.maxPerSecond = inner.maxPerSecond;
  }
  start(onEvent: (event: ChatEvent) => Promise<void>): Promise<void> {
    return this.inner.start(async (event) => {
      try {
        await onEvent(event);
      } finally {
        this.ids.add(event.id);
      }
    });
  }
  send(thread: ThreadRef, message: Outgoing): Promise<MessageRef> {
    return this.inner.send(thread, message);
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

export class DiscordHarness {
  app!: App;
  store!: SqliteSessionStore;
  handled!: Handled;
  readonly llm: ScriptedLlm;
  /** Every sandbox run request, in order. */
  readonly runs: RunRequest[] = [];
  readonly config: Readonly<Config>;
  private readonly sandbox: Sandbox;

  private constructor(
    readonly server: DiscordStandIn,
    readonly dir: string,
    responder: ScriptResponder,
    env: Record<string, string>,
  ) {
    this.config = loadConfig(
      {
        FF2_DATA_DIR: dir,
        FF2_SANDBOX_TIMEOUT_S: '20',
        DISCORD_TOKEN: 'bot-token',
        DISCORD_APP_ID: server.appId,
        DISCORD_API_URL: server.apiUrl,
        // Short spacing keeps journeys quick; pacing itself is tested on its own.
        FF2_DISCORD_CHANNEL_INTERVAL_MS: '20',
        ...env,
      },
      dir,
    );
    this.llm = new ScriptedLlm(responder);
    // TEST_UID_BASE (not a config variable): run as the test file's own UIDs.
    const real = env.TEST_UID_BASE
      ? sandboxOnUids(this.config, Number(env.TEST_UID_BASE))
      : createSandbox(this.config);
    this.sandbox = {
      run: (request) => {
        this.runs.push(request);
        return real.run(request);
      },
      check: () => real.check(),
      close: () => real.close?.() ?? Promise.resolve(),
    };
  }

  static async start(server: DiscordStandIn, responder: ScriptResponder, env: Record<string, string> = {}) {
    const harness = new DiscordHarness(
      server,
      mkdtempSync(join(tmpdir(), 'ff2-discord-e2e-')),
      responder,
      env,
    );
    await harness.boot();
    return harness;
  }

  /** Builds a fresh store handle, discord.js client and app on the same database file. */
  async boot(): Promise<void> {
    this.store = openStore(join(this.dir, 'ff2.db'));
    this.handled = new Handled((await createDiscordFrontDoor(this.config, silentLogger))!);
    this.app = createApp({
      config: this.config,
      store: this.store,
      llm: createRecordingProvider({ provider: this.llm, store: this.store, budget: this.config.llm.budget }),
      sandbox: this.sandbox,
      python: createToolchain(this.config),
      adapters: [this.handled],
      logger: silentLogger,
      progressIntervalMs: 0,
      outboxPollMs: 20,
    });
    await this.app.start();
  }

  /** Stops the app (in-flight steps commit) and closes the database; `boot()` brings it back. */
  async shutdown(): Promise<void> {
    await this.app.stop();
    this.store.close();
  }

  /** Waits until the app has handled event `id` and has nothing left to do. */
  async settle(id: string): Promise<void> {
    await until(() => this.handled.ids.has(id), 20_000, `event ${id} to be handled`);
    await this.app.idle();
  }

  /** `/ff2 goal:<goal>`; resolves with the thread id once the session has settled. */
  async command(goal: string, user = OWNER): Promise<string> {
    const { id } = this.server.slashCommand(goal, user);
    await this.settle(id);
    const thread = [...this.server.threads.values()].at(-1);
    if (!thread) throw new Error('no thread was opened');
    return thread.id as string;
  }

  /** The newest message in `channelId` carrying a button labelled `label`. */
  button(channelId: string, label: string): { message: Json; customId: string } {
    for (const message of this.server.messagesIn(channelId).reverse()) {
      for (const row of message.components ?? []) {
        const found = row.components.find((b: Json) => b.label === label);
        if (found) return { message, customId: found.custom_id };
      }
    }
    throw new Error(`no "${label}" button in ${channelId}`);
  }

  async click(channelId: string, label: string, user = OWNER): Promise<string> {
    const { message, customId } = this.button(channelId, label);
    const { id } = this.server.click(customId, message, user);
    await this.settle(id);
    return id;
  }

  async say(threadId: string, text: string, user = OWNER, files: { name: string; bytes: Buffer }[] = []) {
    const id = this.server.postMessage(threadId, user, text, files);
    await this.settle(files.length > 0 ? `${id}:0` : id);
  }

  /** Everything the bot posted in a channel, as text (content plus attached file names). */
  texts(channelId: string): string[] {
    return this.server.messagesIn(channelId).map((m) => m.content as string);
  }

  session(threadId: string) {
    const row = this.store.getSessionByThread(`discord:${this.server.channelId}:${threadId}`);
    if (!row) throw new Error(`no session in thread ${threadId}`);
    return row;
  }

  async close(): Promise<void> {
    await this.shutdown();
    await this.sandbox.close?.();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
