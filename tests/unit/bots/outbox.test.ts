import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../../src/bots/outbox.js';
import { AdapterError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';
import { MemoryAdapter } from '../../fakes/memory-adapter.js';

const T1 = 'terminal:C1:t1';
const T2 = 'terminal:C2:t2';
let store: SqliteSessionStore;
afterEach(() => store?.close());

function setup(adapter = new MemoryAdapter()) {
  let clock = 1_000;
  const waits: number[] = [];
  store = openStore(':memory:', { now: () => clock });
  const outbox = new Outbox({
    store,
    adapters: [adapter],
    logger: silentLogger,
    now: () => clock,
    paceNow: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  });
  return { adapter, outbox, waits, advance: (ms: number) => (clock += ms) };
}

async function drain(outbox: Outbox): Promise<void> {
  while ((await outbox.deliverOnce()) > 0);
}

describe('the outbox', () => {
  it('delivers in order per thread and retries a 429 after its hint without reordering', async () => {
    const { adapter, outbox, advance } = setup();
    store.enqueue(null, [
      { threadKey: T1, payload: { text: 'one' } },
      { threadKey: T1, payload: { text: 'two' } },
      { threadKey: T2, payload: { text: 'other' } },
    ]);
    adapter.failNext(MemoryAdapter.rateLimited(5_000));
    await drain(outbox);
    // "one" hit the 429, so "two" waits; the other thread is not held up.
    expect(adapter.sent.map((s) => s.message.text)).toEqual(['other']);
    advance(4_000);
    await drain(outbox);
    expect(adapter.sent).toHaveLength(1);
    advance(1_000);
    await drain(outbox);
    expect(adapter.sent.map((s) => s.message.text)).toEqual(['other', 'one', 'two']);
    expect(store.pendingOutbox()).toBe(0);
  });

  it('fails a row for good on a non-retryable error and moves on', async () => {
    const { adapter, outbox } = setup();
    store.enqueue(null, [
      { threadKey: T1, payload: { text: 'bad' } },
      { threadKey: T1, payload: { text: 'next' } },
    ]);
    adapter.failNext(new AdapterError('terminal', 'channel not found', undefined, false));
    await drain(outbox);
    expect(adapter.sent.map((s) => s.message.text)).toEqual(['next']);
    expect(store.pendingOutbox()).toBe(0);
  });

  it('turns replacesKey into an edit of the message delivered under that key', async () => {
    const { adapter, outbox } = setup();
    const status = (text: string, replaceOnly = false) => ({
      threadKey: T1,
      key: 'status:generate:3',
      payload: { text, replacesKey: 'status:generate:3', ...(replaceOnly ? { replaceOnly } : {}) },
    });
    store.enqueue(null, [status('section 1/8')]);
    await drain(outbox);
    store.enqueue(null, [status('section 2/8')]);
    await drain(outbox);
    store.enqueue(null, [
      {
        threadKey: T1,
        key: 'status:run:9',
        payload: { text: '✓ done', replacesKey: 'status:run:9', replaceOnly: true },
      },
    ]);
    await drain(outbox);
    expect(adapter.sent.map((s) => [s.message.text, s.edit])).toEqual([
      ['section 1/8', false],
      ['section 2/8', true],
    ]);
    expect(adapter.sent[1]?.message.replaces).toEqual(adapter.sent[0]?.ref);
    expect(store.pendingOutbox()).toBe(0);
  });

  it('keeps at most one unsent edit per message: a newer edit replaces the waiting one', async () => {
    const { adapter, outbox } = setup();
    const status = (text: string, replaceOnly = false) => ({
      threadKey: T1,
      key: 'status:generate:3',
      payload: { text, replacesKey: 'status:generate:3', ...(replaceOnly ? { replaceOnly } : {}) },
    });
    store.enqueue(null, [status('section 1/8')]);
    await drain(outbox);
    store.enqueue(null, [status('section 2/8'), status('section 3/8'), status('section 4/8')]);
    expect(store.pendingOutbox()).toBe(1);
    // A finaliser that supersedes a status line that was never posted still shows.
    store.enqueue(null, [
      { threadKey: T2, key: 'status:qa:1', payload: { text: 'QA 1/3', replacesKey: 'status:qa:1' } },
    ]);
    store.enqueue(null, [
      status('Generate: done', true),
      {
        threadKey: T2,
        key: 'status:qa:1',
        payload: { text: 'QA: ✓ done', replacesKey: 'status:qa:1', replaceOnly: true },
      },
    ]);
    expect(store.pendingOutbox()).toBe(2);
    await drain(outbox);
    expect(adapter.sent.map((s) => [s.message.text, s.edit])).toEqual([
      ['section 1/8', false],
      ['Generate: done', true],
      ['QA: ✓ done', false],
    ]);
  });

  it('paces posts per channel by the adapter interval', async () => {
    const { outbox, waits } = setup(new MemoryAdapter({ perChannelIntervalMs: 1_000 }));
    store.enqueue(null, [
      { threadKey: T1, payload: { text: 'a' } },
      { threadKey: T1, payload: { text: 'b' } },
      { threadKey: T2, payload: { text: 'c' } },
    ]);
    await drain(outbox);
    expect(waits).toEqual([1_000]);
  });

  it('paces each thread on its own when the adapter paces by thread (Discord threads are channels)', async () => {
    const adapter = Object.assign(new MemoryAdapter({ perChannelIntervalMs: 1_000 }), {
      paceBy: 'thread' as const,
    });
    const { outbox, waits } = setup(adapter);
    store.enqueue(null, [
      { threadKey: 'terminal:C1:a', payload: { text: 'a1' } },
      { threadKey: 'terminal:C1:b', payload: { text: 'b1' } },
      { threadKey: 'terminal:C1:a', payload: { text: 'a2' } },
    ]);
    await drain(outbox);
    expect(adapter.sent.map((s) => s.message.text)).toEqual(['a1', 'b1', 'a2']);
    expect(waits).toEqual([1_000]);
  });

  it('answers a person (the closed buttons and the next gate) before other messages and progress', async () => {
    const { adapter, outbox } = setup(new MemoryAdapter({ perChannelIntervalMs: 1_000 }));
    const progress = (thread: string, n: number) => ({
      threadKey: `terminal:C1:${thread}`,
      key: `status:generate:${n}`,
      payload: { text: `progress ${thread}`, replacesKey: `status:generate:${n}` },
    });
    store.enqueue(null, [{ threadKey: 'terminal:C1:d', key: 'buttons:1', payload: { text: 'Outline' } }]);
    await drain(outbox);
    store.enqueue(null, [progress('a', 1), progress('b', 1)]);
    store.enqueue(null, [
      {
        threadKey: 'terminal:C1:e',
        payload: { text: 'another outline', buttons: [[{ action: 'approve', label: 'Approve' }]] },
      },
    ]);
    // One step answering a click: the closing edit and the next gate's message.
    store.enqueue(null, [
      {
        threadKey: 'terminal:C1:d',
        key: 'buttons:1',
        payload: { text: 'Outline\n✔ Approve — chosen by ann', replacesKey: 'buttons:1', replaceOnly: true },
      },
      {
        threadKey: 'terminal:C1:d',
        payload: { text: 'Question 2?', buttons: [[{ action: 'answer', label: 'Yes' }]] },
      },
    ]);
    await drain(outbox);
    expect(adapter.sent.map((s) => s.message.text)).toEqual([
      'Outline',
      'Outline\n✔ Approve — chosen by ann',
      'Question 2?',
      'another outline',
      'progress a',
      'progress b',
    ]);
  });

  it('keeps the last token of a burst for the answer to a person, so progress never makes a click wait', async () => {
    const adapter = Object.assign(new MemoryAdapter({ perChannelIntervalMs: 1_000 }), { perChannelBurst: 2 });
    const { outbox, waits } = setup(adapter);
    const texts = () => adapter.sent.map((s) => s.message.text);
    store.enqueue(null, [{ threadKey: 'terminal:C1:d', key: 'buttons:1', payload: { text: 'Outline' } }]);
    store.enqueue(null, [
      {
        threadKey: 'terminal:C1:a',
        key: 'status:x:1',
        payload: { text: 'progress', replacesKey: 'status:x:1' },
      },
    ]);
    await drain(outbox);
    // The outline took one token; progress had to wait for a second one rather than take the last.
    expect(texts()).toEqual(['Outline', 'progress']);
    expect(waits).toEqual([1_000]);
    store.enqueue(null, [
      {
        threadKey: 'terminal:C1:d',
        key: 'buttons:1',
        payload: { text: 'Outline\n✔ Approve — chosen by ann', replacesKey: 'buttons:1', replaceOnly: true },
      },
      { threadKey: 'terminal:C1:d', payload: { text: 'Writing the code…' } },
    ]);
    await outbox.deliverOnce();
    // The click's answer went at once, on the kept token.
    expect(texts().at(-1)).toBe('Outline\n✔ Approve — chosen by ann');
    expect(waits).toEqual([1_000]);
    await drain(outbox);
    expect(texts().at(-1)).toBe('Writing the code…');
    expect(waits).toEqual([1_000, 1_000]);
  });

  it('keeps to the platform-wide rate (maxPerSecond), holding part of it for answers to a person', async () => {
    // 20 a second: a burst of 5 (a quarter second's worth), 2 of them kept for answers.
    const adapter = Object.assign(new MemoryAdapter(), { maxPerSecond: 20 });
    const { outbox, waits } = setup(adapter);
    const texts = () => adapter.sent.map((s) => s.message.text);
    store.enqueue(null, [{ threadKey: 'terminal:C9:d', key: 'buttons:1', payload: { text: 'Outline' } }]);
    await outbox.deliverOnce();
    store.enqueue(
      null,
      Array.from({ length: 8 }, (_, i) => ({
        threadKey: `terminal:C${i}:t`,
        key: `status:x:${i}`,
        payload: { text: `progress ${i}`, replacesKey: `status:x:${i}` },
      })),
    );
    await outbox.deliverOnce();
    // After the outline, progress may take the burst down to the two kept tokens.
    expect(texts()).toEqual(['Outline', 'progress 0', 'progress 1']);
    store.enqueue(null, [
      {
        threadKey: 'terminal:C9:d',
        key: 'buttons:1',
        payload: { text: 'Outline\n✔ Approve — chosen by ann', replacesKey: 'buttons:1', replaceOnly: true },
      },
      { threadKey: 'terminal:C9:d', payload: { text: 'Writing the code…' } },
    ]);
    await outbox.deliverOnce();
    // The click's answer took the kept token at once.
    expect(texts().at(-1)).toBe('Outline\n✔ Approve — chosen by ann');
    expect(waits).toEqual([]);
    for (let i = 0; i < 50 && store.pendingOutbox() > 0; i++) await outbox.deliverOnce();
    expect(texts()).toHaveLength(11);
    // Eleven requests, a burst of five, then one per 50 ms: at least 300 ms of waiting.
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
  });

  it('keeps progress edits within the edit rate (editsPerMinute) but never holds back an answer', async () => {
    // 60 a minute: a burst of 6, progress leaves 3 of them for answers.
    const adapter = Object.assign(new MemoryAdapter(), { editsPerMinute: 60 });
    const { outbox, waits } = setup(adapter);
    const texts = () => adapter.sent.map((s) => s.message.text);
    const channels = Array.from({ length: 8 }, (_, i) => i);
    store.enqueue(null, [
      { threadKey: 'terminal:C9:d', key: 'buttons:1', payload: { text: 'Outline' } },
      ...channels.map((i) => ({
        threadKey: `terminal:C${i}:t`,
        key: `status:x:${i}`,
        payload: { text: `start ${i}` },
      })),
    ]);
    await drain(outbox);
    // Posts are not edits: all nine went at once.
    expect(texts()).toHaveLength(9);
    expect(waits).toEqual([]);
    store.enqueue(
      null,
      channels.map((i) => ({
        threadKey: `terminal:C${i}:t`,
        key: `status:x:${i}`,
        payload: { text: `progress ${i}`, replacesKey: `status:x:${i}` },
      })),
    );
    await outbox.deliverOnce();
    expect(texts().slice(9)).toEqual(['progress 0', 'progress 1', 'progress 2']);
    store.enqueue(null, [
      {
        threadKey: 'terminal:C9:d',
        key: 'buttons:1',
        payload: { text: 'Outline\n✔ Approve — chosen by ann', replacesKey: 'buttons:1', replaceOnly: true },
      },
    ]);
    await outbox.deliverOnce();
    expect(texts().at(-1)).toBe('Outline\n✔ Approve — chosen by ann');
    expect(waits).toEqual([]);
    for (let i = 0; i < 50 && store.pendingOutbox() > 0; i++) await outbox.deliverOnce();
    expect(texts()).toHaveLength(18);
    // Five more progress edits, each needing a token beyond the kept three: seconds, not at once.
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5_000);
  });

  it("never lets one channel's spacing hold a delivery slot or another channel's messages", async () => {
    const clock = 1_000;
    const adapter = Object.assign(new MemoryAdapter({ perChannelIntervalMs: 60_000 }), { maxInFlight: 1 });
    store = openStore(':memory:', { now: () => clock });
    const outbox = new Outbox({
      store,
      adapters: [adapter],
      logger: silentLogger,
      now: () => clock,
      paceNow: () => clock,
      pollMs: 5,
    });
    const texts = () => adapter.sent.map((s) => s.message.text);
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    store.enqueue(null, [
      { threadKey: 'terminal:C1:a', payload: { text: 'a1' } },
      { threadKey: 'terminal:C1:b', payload: { text: 'b1' } },
    ]);
    outbox.start();
    await until(() => texts().length === 1);
    expect(texts()).toEqual(['a1']);
    // C1 now waits out its spacing before b1 (the clock stands still); with one slot in all,
    // a message for C2 must still go at once.
    store.enqueue(null, [{ threadKey: 'terminal:C2:c', payload: { text: 'c1' } }]);
    outbox.kick();
    await until(() => texts().includes('c1'));
    expect(texts()).toEqual(['a1', 'c1']);
    expect(outbox.stats()).toMatchObject({ queued: 1, inFlight: 0, delivered: 2 });
    await outbox.stop(0);
  });

  it('flags a row that may have reached the platform, so the adapter looks before sending again', async () => {
    const { adapter, outbox, advance } = setup();
    store.enqueue(null, [
      { threadKey: T1, payload: { text: 'lost answer' } },
      { threadKey: T2, payload: { text: 'rate limited' } },
    ]);
    adapter.failNext(
      new AdapterError('terminal', 'HTTP 502', undefined, true),
      MemoryAdapter.rateLimited(10),
    );
    await outbox.deliverOnce();
    advance(1_000);
    await drain(outbox);
    const marks = adapter.sent.map((s) => [s.message.text, s.message.delivery?.check]);
    expect(marks).toEqual([
      ['lost answer', true],
      ['rate limited', false],
    ]);
    // A crash while sending: requeued rows are flagged too.
    store.enqueue(null, [{ threadKey: T1, payload: { text: 'in flight at the crash' } }]);
    store.claimOutbox(advance(0), 10);
    expect(store.requeueSending()).toBe(1);
    await drain(outbox);
    expect(adapter.sent.at(-1)?.message.delivery).toMatchObject({ check: true });
  });

  it('says "catching up" in status lines of a channel with a long queue and reports depth and latency', async () => {
    const { adapter, outbox, advance } = setup(new MemoryAdapter({ perChannelIntervalMs: 1_000 }));
    store.enqueue(null, [
      {
        threadKey: 'terminal:C1:s',
        key: 'status:generate:1',
        payload: { text: '⏳ Generating', replacesKey: 'status:generate:1' },
      },
      ...Array.from({ length: 6 }, (_, i) => ({
        threadKey: `terminal:C1:t${i}`,
        key: `status:x:${i}`,
        payload: { text: `bg ${i}` },
      })),
    ]);
    advance(100);
    expect(outbox.stats().channels).toEqual([{ channel: 'terminal:C1:', queued: 7, oldestMs: 100 }]);
    await outbox.deliverOnce();
    expect(adapter.sent[0]?.message.text).toContain('catching up: 7 messages queued');
    await drain(outbox);
    const stats = outbox.stats();
    expect(stats).toMatchObject({ queued: 0, delivered: 7, channels: [] });
    expect(stats.latencyMs.samples).toBe(7);
    expect(stats.latencyMs.max).toBeGreaterThanOrEqual(6_000);
  });

  it('counts the thread\'s own queue for "catching up" where each thread is paced on its own', async () => {
    const adapter = Object.assign(new MemoryAdapter({ perChannelIntervalMs: 1_000 }), {
      paceBy: 'thread' as const,
    });
    const { outbox } = setup(adapter);
    const status = (thread: string, n: number) => ({
      threadKey: `terminal:C1:${thread}`,
      key: `status:x:${n}`,
      payload: { text: `status ${thread}${n}` },
    });
    // Busy neighbours in the same parent channel do not hold this thread back.
    store.enqueue(null, [status('s', 0), ...Array.from({ length: 6 }, (_, i) => status(`t${i}`, 0))]);
    await outbox.deliverOnce();
    expect(adapter.sent.find((s) => s.message.text.startsWith('status s0'))?.message.text).toBe('status s0');
    await drain(outbox);
    store.enqueue(
      null,
      Array.from({ length: 6 }, (_, i) => status('s', i + 1)),
    );
    await outbox.deliverOnce();
    expect(adapter.sent.at(-1)?.message.text).toBe(
      'status s1\n⏩ catching up: 6 messages queued in this thread',
    );
  });

  it('decodes base64 files and moves long text into an attachment', async () => {
    const { adapter, outbox } = setup();
    const long = 'x'.repeat(5_000);
    store.enqueue(null, [
      {
        threadKey: T1,
        payload: {
          text: long,
          files: [{ name: 'a.py', base64: Buffer.from('print(1)').toString('base64') }],
        },
      },
    ]);
    await drain(outbox);
    const message = adapter.sent[0]!.message;
    expect(message.text.length).toBeLessThan(2_000);
    expect(message.files?.map((f) => f.name)).toEqual(['a.py', 'message.txt']);
    expect(new TextDecoder().decode(message.files?.[0]?.bytes)).toBe('print(1)');
    expect(message.files?.[1]?.bytes.length).toBe(5_000);
  });
});
