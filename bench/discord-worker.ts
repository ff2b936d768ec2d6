/**
 * Worker thread of the Discord benchmark: hosts two Discord stand-ins (one for ff2, one for the
 * bare client) off the measured event loop — in production Discord is not in ff2's process either.
 * Messages: `{op:'fire', target, count}` → callback latencies in ms (gateway dispatch → interaction
 * callback, both timed here); `{op:'stats', target}`; `{op:'close'}`.
 */
import { parentPort } from 'node:worker_threads';
import { DiscordStandIn, until } from '../tests/fakes/discord-server.js';

type Target = 'ff2' | 'bare';
type Request =
  | { op: 'fire'; target: Target; count: number; tag: string }
  | { op: 'stats'; target: Target }
  | { op: 'close' };

const servers: Record<Target, DiscordStandIn> = {
  ff2: await DiscordStandIn.start(),
  bare: await DiscordStandIn.start(),
};
const port = parentPort!;
port.postMessage({
  ff2: { apiUrl: servers.ff2.apiUrl, appId: servers.ff2.appId, channelId: servers.ff2.channelId },
  bare: { apiUrl: servers.bare.apiUrl, appId: servers.bare.appId },
});

port.on('message', async (request: Request) => {
  try {
    if (request.op === 'fire') {
      const server = servers[request.target];
      await server.connected();
      const ids: string[] = [];
      for (let i = 0; i < request.count; i++) {
        const user = `16${String(i % 97).padStart(17, '0')}`;
        ids.push(
          server.slashCommand(`${request.tag} goal ${i}: a script that prints the ${i}th prime`, user).id,
        );
      }
      await until(() => ids.every((id) => server.answeredAt.has(id)), 60_000, 'every interaction callback');
      port.postMessage(ids.map((id) => server.answeredAt.get(id)! - server.dispatchedAt.get(id)!));
    } else if (request.op === 'stats') {
      const server = servers[request.target];
      port.postMessage({
        threads: server.threads.size,
        messages: server.messages.size,
        failed: server.calls.filter((c) => c.status >= 400).length,
      });
    } else {
      await Promise.all([servers.ff2.close(), servers.bare.close()]);
      port.postMessage('closed');
    }
  } catch (error) {
    port.postMessage({ error: String(error) });
  }
});
