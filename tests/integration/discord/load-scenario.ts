/**
 * The "answer the person first" load scenario on Discord, for `npm run bench -- discord`: `sessions`
 * sessions started at once through the real discord.js front door (the whole app, the scripted
 * model), each owner clicking Approve as soon as their outline shows. Measures click (gateway
 * dispatch) → visible effect (the stand-in receiving the edit "✔ Approve — chosen by …") and
 * each thread's outbox traffic over time.
 */
import { DiscordStandIn, type Json } from '../../fakes/discord-server.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { DiscordHarness } from './harness.js';

export interface DiscordLoadResult {
  clickEffectMs: number[];
  missing: number;
  /** Per thread: arrival times (ms) of message posts and edits. */
  threadTimes: Map<string, number[]>;
}

export async function runDiscordClickLoad(options: {
  sessions: number;
  env: Record<string, string>;
  modelDelayMs?: number;
  timeoutMs?: number;
}): Promise<DiscordLoadResult> {
  const script = referenceGoalScript();
  const delay = options.modelDelayMs ?? 50;
  const server = await DiscordStandIn.start();
  const h = await DiscordHarness.start(
    server,
    async (call) => {
      await new Promise((r) => setTimeout(r, call.task === 'generate' ? 20 * delay : delay));
      return script(call);
    },
    options.env,
  );
  try {
    const owners = new Map<string, string>();
    for (let i = 0; i < options.sessions; i++) {
      server.slashCommand(
        `load ${i}: a csv deduper with preview`,
        `16000000000000${String(i).padStart(5, '0')}`,
      );
    }
    const clickedAt = new Map<string, number>();
    const seen = new Set<string>();
    const effects: number[] = [];
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    while (effects.length < options.sessions && Date.now() < deadline) {
      for (const call of server.calls) {
        const id = /^\/channels\/\d+\/messages\/(\d+)$/.exec(call.path)?.[1];
        const at = id ? clickedAt.get(id) : undefined;
        if (call.method === 'PATCH' && id && at !== undefined && !seen.has(id)) {
          if (String(call.body?.content).includes('chosen by')) {
            seen.add(id);
            effects.push(call.at - at);
          }
        }
      }
      for (const thread of server.threads.values()) {
        if (!owners.has(thread.id)) {
          const row = h.store.getSessionByThread(`discord:${server.channelId}:${thread.id}`);
          if (row) owners.set(thread.id, row.ownerId.slice('discord:'.length));
        }
        const owner = owners.get(thread.id);
        if (!owner) continue;
        for (const message of server.messagesIn(thread.id)) {
          if (clickedAt.has(message.id)) continue;
          const button = (message.components ?? [])
            .flatMap((r: Json) => r.components)
            .find((b: Json) => b.label === 'Approve');
          if (!button) continue;
          clickedAt.set(message.id, performance.now());
          server.click(button.custom_id, message, owner);
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const threadTimes = new Map<string, number[]>();
    for (const call of server.calls) {
      const thread = /^\/channels\/(\d+)\/messages/.exec(call.path)?.[1];
      if (!thread || !server.threads.has(thread) || !['POST', 'PATCH'].includes(call.method)) continue;
      threadTimes.set(thread, [...(threadTimes.get(thread) ?? []), call.at]);
    }
    return { clickEffectMs: effects, missing: options.sessions - effects.length, threadTimes };
  } finally {
    await h.app.stop({ abortRunning: true });
    await h.close();
    await server.close();
  }
}
