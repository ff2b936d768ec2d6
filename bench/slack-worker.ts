/**
 * Worker thread of the Slack benchmark: runs the Slack stand-in and the load generator off the
 * measured event loop (in production, Slack is not in ff2's process either). Messages:
 * `{op:'send', url, tag, count}` → latencies; `{op:'count', method}` → calls so far; `{op:'close'}`.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { parentPort } from 'node:worker_threads';
import { SIGNING_SECRET, startSlackServer } from '../tests/fakes/slack-server.js';

type Request =
  | { op: 'send'; url: string; tag: string; count: number; text?: string }
  | { op: 'count'; method: string }
  | { op: 'close' };

const slack = await startSlackServer();
const port = parentPort!;
port.postMessage({ ready: true, apiUrl: slack.apiUrl, url: slack.url });

port.on('message', async (request: Request) => {
  try {
    if (request.op === 'send') {
      const prepared = Array.from({ length: request.count }, (_, i) => prepare(request.tag, i, request.text));
      // A fresh agent per burst: a kept-alive socket the bot closed meanwhile would hang up.
      const agent = new http.Agent({ keepAlive: false, maxSockets: 1000 });
      port.postMessage(await Promise.all(prepared.map((p) => send(agent, new URL(request.url), p))));
      agent.destroy();
    } else if (request.op === 'count') {
      port.postMessage(slack.of(request.method).length);
    } else {
      await slack.close();
      port.postMessage('closed');
    }
  } catch (error) {
    port.postMessage({ error: String(error) });
  }
});

function prepare(tag: string, i: number, text?: string) {
  const body = new URLSearchParams({
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'test',
    channel_id: `C${tag}${i % 10}`,
    channel_name: 'bench',
    user_id: `U${tag}${i}`,
    user_name: 'bench',
    command: '/ff2',
    text: text ?? `${tag} goal ${i}: a csv deduper with preview`,
    api_app_id: 'A1',
    response_url: `${slack.url}/response/${tag}${i}`,
    trigger_id: `trigger.${tag}.${i}`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature,
    },
  };
}

function send(
  agent: http.Agent,
  url: URL,
  prepared: ReturnType<typeof prepare>,
): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: prepared.headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end(prepared.body);
  });
}
