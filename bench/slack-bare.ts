/**
 * Worker thread of the Slack benchmark: a bare Bolt app that only acks `/ff2`, on its own event
 * loop, as the baseline for ff2's ack latency on the same machine at the same moment.
 * Posts `{ url }` once listening; `'close'` stops it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { App, LogLevel } from '@slack/bolt';
import { BOT_TOKEN, SIGNING_SECRET } from '../tests/fakes/slack-server.js';

const port = parentPort!;
const app = new App({
  token: BOT_TOKEN,
  signingSecret: SIGNING_SECRET,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: (workerData as { apiUrl: string }).apiUrl, retryConfig: { retries: 0 } },
});
app.command('/ff2', async ({ ack }) => {
  await ack();
});
const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
port.postMessage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events` });
port.on('message', async () => {
  server.closeAllConnections();
  await app.stop();
  port.postMessage('closed');
});
