import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ff2, tempHome } from '../../e2e/terminal/harness.js';
import { DiscordStandIn } from '../../fakes/discord-server.js';
import { openAiStandInFor } from '../../fakes/plot-chat.js';
import { isPng, SALES_CSV, SALES_GOAL, salesChartScript } from '../../fakes/sales-chart.js';
import { DiscordHarness } from '../discord/harness.js';
import { type SlackHarness, startSlackHarness } from '../slack/harness.js';

/**
 * The plotting reference journey — "plot a bar chart of total sales per region from sales.csv"
 * with the CSV attached — through each front door with a scripted model: it reaches a passing
 * run and the chart comes back as a picture (Slack upload, Discord attachment, terminal file).
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the plot journey', { timeout: 180_000 }, () => {
  it('posts the chart into the Slack thread with files.uploadV2', async () => {
    const h: SlackHarness = await startSlackHarness(salesChartScript());
    cleanups.push(() => h.close());
    const thread = await h.command(SALES_GOAL);
    await h.idle();
    await h.click('Approve', thread);
    await h.idle();
    expect(h.session(thread).stage).toBe('approve_run');
    await h.attach(thread, 'sales.csv', new TextEncoder().encode(SALES_CSV));
    await h.idle();
    await h.click('Run', thread);
    await h.idle();
    expect(h.session(thread).stage).toBe('give_feedback');
    expect(h.runs.some((r) => r.inputFiles?.['sales.csv'])).toBe(true);

    const asked = h.slack.of('files.getUploadURLExternal').find((c) => c.body.filename === 'chart.png');
    expect(asked, 'chart.png was uploaded').toBeDefined();
    const id = (asked!.reply!.body as { file_id: string }).file_id;
    const upload = h.slack.of('upload').find((c) => c.path.endsWith(`/${id}`))!;
    // The Web API client posts the bytes as a multipart field.
    const bytes = (upload.body.bytes ?? upload.body.body) as Uint8Array;
    expect(isPng(bytes)).toBe(true);
    const completed = h.slack
      .of('files.completeUploadExternal')
      .find((c) => (c.body.files as { id: string }[]).some((f) => f.id === id))!;
    expect(completed.body.thread_ts).toBe(thread);
    const report = h.messages(thread).find((m) => m.text.includes('Run 1'))!;
    expect(report.text).toContain('Images: chart.png');
    expect(report.text).toContain('North: 300');
  });

  it('attaches the chart as an image on Discord', async () => {
    const server = await DiscordStandIn.start();
    cleanups.push(() => server.close());
    const h = await DiscordHarness.start(server, salesChartScript());
    cleanups.push(() => h.close());
    const thread = await h.command(SALES_GOAL);
    await h.click(thread, 'Approve');
    await h.say(thread, 'here is the data', undefined, [
      { name: 'sales.csv', bytes: Buffer.from(SALES_CSV) },
    ]);
    await h.click(thread, 'Run');
    expect(h.session(thread).stage).toBe('give_feedback');
    const post = server.calls.find(
      (c) => c.path === `/channels/${thread}/messages` && c.files.some((f) => f.name === 'chart.png'),
    )!;
    expect(post, 'a message with chart.png').toBeDefined();
    const chart = post.files.find((f) => f.name === 'chart.png')!;
    expect(chart.contentType).toBe('image/png');
    expect(isPng(chart.bytes)).toBe(true);
    expect(post.files[0]!.name).toBe('chart.png');
    expect(String(post.body.content)).toContain('Images: chart.png');
  });

  it('saves the chart in the terminal session folder and names it', async () => {
    const home = tempHome('ff2-plot-chat-');
    cleanups.push(() => home.cleanup());
    const server = await openAiStandInFor(salesChartScript());
    cleanups.push(() => server.close());
    const csv = `${home.dir}/sales.csv`;
    (await import('node:fs')).writeFileSync(csv, SALES_CSV);
    const env = {
      FF2_DATA_DIR: home.dir,
      FF2_DB: home.db,
      FF2_LLM: 'openai',
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: 'test-key',
    };
    const run = await ff2(['chat', SALES_GOAL], { env, stdin: `Approve\n/attach ${csv}\nRun\nship it\n` })
      .done;
    expect(run.code, run.stdout.slice(-2000)).toBe(0);
    const saved = /saved image chart\.png \([^)]+\): (\S+chart\.png)/.exec(run.stdout);
    expect(saved, run.stdout.slice(-3000)).not.toBeNull();
    expect(isPng(readFileSync(saved![1]!))).toBe(true);
    expect(run.stdout).toContain('Images: chart.png');
  });
});
