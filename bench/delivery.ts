/**
 * Delivery figures shared by the Slack and Discord benchmarks: click → visible effect for 40
 * concurrent sessions (each owner clicking Approve as soon as the outline shows, with the
 * platform's default spacing), and the time from `kill -9` of `ff2 serve` to the restarted
 * process listening again (it takes the dead process's lease at once). The restart runs the
 * built CLI (dist/) when it is up to date with src/, else the sources through tsx (slower to load).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscordStandIn } from '../tests/fakes/discord-server.js';
import { serveChildEnv, startSlowReferenceModel } from '../tests/fakes/serve-child.js';
import { killHard, startServe } from '../tests/fakes/serve-process.js';
import { BOT_TOKEN, SIGNING_SECRET, startSlackServer } from '../tests/fakes/slack-server.js';
import { runDiscordClickLoad } from '../tests/integration/discord/load-scenario.js';
import { maxInWindow, percentile, runClickLoad } from '../tests/integration/slack/load-scenario.js';

const SESSIONS = 40;
const RESTARTS = 3;

export async function clickFigures(platform: 'slack' | 'discord'): Promise<Record<string, number>> {
  const result =
    platform === 'slack'
      ? await runClickLoad({
          sessions: SESSIONS,
          channels: 10,
          env: { FF2_SLACK_CHANNEL_INTERVAL_MS: '1000' },
          timeoutMs: 240_000,
        })
      : await (async () => {
          const r = await runDiscordClickLoad({
            sessions: SESSIONS,
            env: { FF2_DISCORD_CHANNEL_INTERVAL_MS: '1000' },
            timeoutMs: 240_000,
          });
          return { ...r, channelTimes: r.threadTimes };
        })();
  const p = (q: number) => Math.round(percentile(result.clickEffectMs, q));
  return {
    click_sessions: SESSIONS,
    click_effect_p50_ms: p(0.5),
    click_effect_p99_ms: p(0.99),
    click_effect_max_ms: p(1),
    click_missing: result.missing,
    max_channel_posts_per_5s: maxInWindow(result.channelTimes, 5000),
  };
}

export async function restartFigures(
  platform: 'slack' | 'discord',
): Promise<Record<string, number | string>> {
  const dist = distIsFresh();
  if (dist) process.env.FF2_SERVE_DIST = '1';
  const dir = mkdtempSync(join(tmpdir(), 'ff2-bench-restart-'));
  const model = await startSlowReferenceModel(50);
  const slack = platform === 'slack' ? await startSlackServer() : undefined;
  const discord = platform === 'discord' ? await DiscordStandIn.start() : undefined;
  const env: Record<string, string> = { ...serveChildEnv(dir, model.url) };
  if (slack)
    Object.assign(env, {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    });
  if (discord)
    Object.assign(env, {
      DISCORD_TOKEN: 'bench',
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiUrl,
    });
  const ready = platform === 'slack' ? /listening \(slack/ : /listening \(.*discord/;
  const times: number[] = [];
  try {
    let current = await startServe(env, ready);
    for (let i = 0; i < RESTARTS; i++) {
      const killedAt = performance.now();
      await killHard(current.child);
      current = await startServe(env, ready);
      times.push(performance.now() - killedAt);
    }
    await killHard(current.child);
  } finally {
    delete process.env.FF2_SERVE_DIST;
    await slack?.close();
    await discord?.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    restart_listen_ms: Math.round(percentile(times, 0.5)),
    restart_listen_max_ms: Math.round(Math.max(...times)),
    restart_runtime: dist ? 'dist' : 'tsx',
  };
}

/** dist/cli.js exists and is newer than every file under src/. */
function distIsFresh(): boolean {
  const root = join(import.meta.dirname, '..');
  let built: number;
  try {
    built = statSync(join(root, 'dist/cli.js')).mtimeMs;
  } catch {
    return false;
  }
  const newest = (path: string): number =>
    statSync(path).isDirectory()
      ? Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))))
      : statSync(path).mtimeMs;
  return newest(join(root, 'src')) <= built;
}
