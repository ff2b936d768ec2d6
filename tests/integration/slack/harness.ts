/**
 * The whole ff2 app behind the real Slack front door (Bolt over HTTP) against the Slack
 * stand-in: a real SQLite file in a temp dir, the real sandbox and analyser, the scripted model
 * behind the recording provider. Helpers act like Slack users: /ff2, thread replies, button
 * clicks (by label), files attached in the thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../../../src/app.js';
import type { SlackAdapter } from '../../../src/bots/slack/adapter.js';
import { createSlackFrontDoor } from '../../../src/bots/slack/create.js';
import { loadConfig } from '../../../src/config.js';
import { createRecordingProvider } from '../../../src/llm/usage.js';
import { silentLogger } from '../../../src/logger.js';
import { answerOps, Health } from '../../../src/ops/health.js';
import { Metrics } from '../../../src/ops/metrics.js';
import { sayInThread, WorkLimits, withSession } from '../../../src/ops/work.js';
import { createToolchain } from '../../../src/python/create.js';
import { createSandbox } from '../../../src/sandbox/create.js';
import type { RunRequest, Sandbox } from '../../../src/sandbox/types.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';
import type { SessionRow } from '../../../src/store/types.js';
import { sandboxOnUids } from '../../fakes/own-uids.js';
import { ScriptedLlm, type ScriptResponder } from '../../fakes/scripted-llm.js';
import {
  BOT_TOKEN,
  SIGNING_SECRET,
  type SignOptions,
  type SlackCall,
  type SlackServer,
  startSlackServer,
} from '../../fakes/slack-server.js';

export const CHANNEL = 'C1';

interface Button {
  action_id: string;
  value?: string;
  text: { text: string };
}
interface Block {
  type: string;
  text?: { text: string };
  elements?: Button[];
}

/** One message as Slack would show it now (after edits). */
export interface ShownMessage {
  ts: string;
  threadTs: string | undefined;
  text: string;
  blocks: Block[];
}

export interface SlackHarness {
  app: App;
  config: ReturnType<typeof loadConfig>;
  adapter: SlackAdapter;
  slack: SlackServer;
  store: SqliteSessionStore;
  llm: ScriptedLlm;
  /** Every sandbox run request, in order. */
  runs: RunRequest[];
  botUrl: string;
  /** The database file. */
  dbPath: string;
  /** `/ff2 <goal>` as `user`; resolves with the root message ts (the session thread). */
  command(goal: string, user?: string, sign?: SignOptions): Promise<string>;
  /** A thread reply. Returns the event id used. */
  reply(threadTs: string, text: string, user?: string, eventId?: string): Promise<string>;
  attach(threadTs: string, name: string, bytes: Uint8Array, user?: string): Promise<void>;
  /** Clicks the newest button with this label (in the thread, or on channel messages with `''`). */
  click(label: string, threadTs: string, user?: string): Promise<void>;
  /** Messages in a thread ('' = top-level channel messages except root messages), oldest first. */
  messages(threadTs: string): ShownMessage[];
  findButton(label: string, threadTs: string): { message: ShownMessage; button: Button } | undefined;
  session(threadTs: string): SessionRow;
  idle(): Promise<void>;
  close(): Promise<void>;
}

let eventSeq = 0;

export async function startSlackHarness(
  responder: ScriptResponder,
  env: Record<string, string> = {},
  options: { now?: () => number; metrics?: boolean; work?: boolean } = {},
): Promise<SlackHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'ff2-slack-e2e-'));
  const slack = await startSlackServer();
  const config = loadConfig(
    {
      FF2_DATA_DIR: dir,
      FF2_SANDBOX_TIMEOUT_S: '20',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      FF2_HTTP_PORT: '0',
      FF2_APPROVERS: 'slack:UAPPROVER',
      ...env,
    },
    dir,
  );
  const store = openStore(join(dir, 'ff2.db'), options.now ? { now: options.now } : {});
  const llm = new ScriptedLlm(responder);
  // TEST_UID_BASE (not a config variable): run as the test file's own UIDs.
  const real = env.TEST_UID_BASE ? sandboxOnUids(config, Number(env.TEST_UID_BASE)) : createSandbox(config);
  const runs: RunRequest[] = [];
  const sandbox: Sandbox = {
    run: (request) => {
      runs.push(request);
      return real.run(request);
    },
    check: () => real.check(),
  };
  // As in ff2 serve: /healthz and /metrics on the Slack HTTP port, answered by the main thread.
  const work = options.work
    ? new WorkLimits({
        modelCalls: config.work.modelCalls,
        sandboxRuns: config.sandbox.slots,
        analysers: config.work.analysers,
        maxQueued: config.work.maxQueued,
        say: sayInThread(store),
      })
    : undefined;
  const metrics = options.metrics ? new Metrics({ store, queues: () => work?.stats() ?? [] }) : undefined;
  let health: Health | undefined;
  const adapter = await createSlackFrontDoor(config, silentLogger, {
    host: '127.0.0.1',
    ...(env.FF2_SLACK_CHANNEL_INTERVAL_MS ? {} : { perChannelIntervalMs: 20 }),
    ...(metrics
      ? { ops: async (path: string) => (health ? answerOps(path, { health, metrics }) : undefined) }
      : {}),
  });
  if (!adapter) throw new Error('slack not configured');
  const app = createApp({
    config,
    store,
    llm: ((recording) => {
      const bounded = work ? work.llm(recording) : recording;
      return metrics ? metrics.meterLlm(bounded) : bounded;
    })(createRecordingProvider({ provider: llm, store, budget: config.llm.budget })),
    sandbox: ((bounded) => (metrics ? metrics.meterSandbox(bounded) : bounded))(
      work ? work.bindSandbox(sandbox) : sandbox,
    ),
    ...(metrics ? { metrics } : {}),
    ...(work ? { scope: withSession } : {}),
    python: work ? work.toolchain(createToolchain(config)) : createToolchain(config),
    adapters: [adapter],
    logger: silentLogger,
    progressIntervalMs: 0,
    outboxPollMs: 20,
    ...(options.now ? { now: options.now } : {}),
  });
  await app.start();
  health = metrics ? new Health({ store, leaseHeld: () => app.leaseHeld() }) : undefined;
  const botUrl = `http://127.0.0.1:${adapter.port}/slack/events`;

  const messages = (threadTs: string): ShownMessage[] => {
    const shown = new Map<string, ShownMessage>();
    for (const call of slack.calls) {
      if (call.method === 'chat.postMessage' && call.reply?.status === 200) {
        const ts = String((call.reply.body as { ts?: string }).ts);
        const thread = call.body.thread_ts as string | undefined;
        shown.set(ts, {
          ts,
          threadTs: thread,
          text: String(call.body.text ?? ''),
          blocks: (call.body.blocks as Block[]) ?? [],
        });
      } else if (call.method === 'chat.update') {
        const old = shown.get(String(call.body.ts));
        if (old)
          shown.set(old.ts, {
            ...old,
            text: String(call.body.text ?? ''),
            blocks: (call.body.blocks as Block[]) ?? [],
          });
      }
    }
    return [...shown.values()].filter((m) =>
      threadTs === '' ? m.threadTs === undefined && !m.text.includes(' started: ') : m.threadTs === threadTs,
    );
  };
  const findButton = (label: string, threadTs: string) => {
    for (const message of messages(threadTs).reverse()) {
      for (const block of message.blocks) {
        const button = block.elements?.find((b) => b.text.text === label);
        if (button) return { message, button };
      }
    }
    return undefined;
  };

  return {
    app,
    config,
    adapter,
    slack,
    store,
    llm,
    runs,
    botUrl,
    dbPath: join(dir, 'ff2.db'),
    async command(goal, user = 'U1', sign) {
      const before = slack.of('chat.postMessage').length;
      const ack = await slack.command(
        botUrl,
        { text: goal, user_id: user, user_name: user.toLowerCase(), channel_id: CHANNEL },
        sign,
      );
      if (ack.status !== 200) throw new Error(`/ff2 was answered with ${ack.status}`);
      const root = await slack.waitFor(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.reply?.status === 200 &&
          slack.of('chat.postMessage').indexOf(c) >= before &&
          String(c.body.text).includes(' started: '),
      );
      return String((root.reply!.body as { ts: string }).ts);
    },
    async reply(threadTs, text, user = 'U1', eventId = `Ev${++eventSeq}`) {
      const ts = `1713000000.${String(++eventSeq).padStart(6, '0')}`;
      const res = await slack.event(
        botUrl,
        { type: 'message', channel: CHANNEL, user, text, ts, thread_ts: threadTs },
        eventId,
      );
      if (res.status !== 200) throw new Error(`event answered with ${res.status}`);
      return eventId;
    },
    async attach(threadTs, name, bytes, user = 'U1') {
      const file = slack.addFile(name, bytes);
      const ts = `1713000000.${String(++eventSeq).padStart(6, '0')}`;
      await slack.event(
        botUrl,
        {
          type: 'message',
          subtype: 'file_share',
          channel: CHANNEL,
          user,
          text: '',
          ts,
          thread_ts: threadTs,
          files: [file],
        },
        `Ev${++eventSeq}`,
      );
    },
    async click(label, threadTs, user = 'U1') {
      const found = findButton(label, threadTs);
      if (!found)
        throw new Error(
          `no button "${label}" in ${threadTs || 'the channel'}; texts: ${messages(threadTs)
            .map((m) => m.text.slice(0, 60))
            .join(' | ')}`,
        );
      const { message, button } = found;
      const res = await slack.action(botUrl, {
        type: 'block_actions',
        user: { id: user, username: user.toLowerCase() },
        channel: { id: CHANNEL, name: 'general' },
        container: {
          type: 'message',
          message_ts: message.ts,
          channel_id: CHANNEL,
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        },
        message: {
          type: 'message',
          ts: message.ts,
          text: message.text,
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        },
        actions: [
          {
            type: 'button',
            action_id: button.action_id,
            block_id: 'b',
            action_ts: `1714000000.${++eventSeq}`,
            ...(button.value !== undefined ? { value: button.value } : {}),
          },
        ],
      });
      if (res.status !== 200) throw new Error(`click answered with ${res.status}`);
    },
    messages,
    findButton,
    session(threadTs) {
      const row = store.getSessionByThread(`slack:${CHANNEL}:${threadTs}`);
      if (!row) throw new Error(`no session in thread ${threadTs}`);
      return row;
    },
    async idle() {
      // Bolt acks before the listener finishes: wait for the adapter's translations, then the app.
      await new Promise((r) => setTimeout(r, 10));
      await adapter.settled();
      await app.idle();
      await adapter.settled();
    },
    async close() {
      health?.close();
      await app.stop();
      await real.close();
      store.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every text ff2 sent to Slack (posts, edits, ephemeral answers, response_urls), for leak checks. */
export function everythingSent(slack: SlackServer): string {
  const sent = (c: SlackCall) =>
    [
      'chat.postMessage',
      'chat.update',
      'chat.postEphemeral',
      'response',
      'files.completeUploadExternal',
    ].includes(c.method);
  return slack.calls
    .filter(sent)
    .map((c) => JSON.stringify(c.body))
    .join('\n');
}
