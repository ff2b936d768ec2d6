import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../../src/bots/outbox.js';
import { AdapterError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';
import { MemoryAdapter } from '../../fakes/memory-adapter.js';

const T1 = 'memory:C1:t1';
const T2 = 'memory:C2:t2';
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
    adapter.failNext(new AdapterError('memory', 'channel not found', undefined, false));
    await drain(outbox);
    expect(adapter.sent.map((s) => s.message.text)).toEqual(['next']);
    expect(store.pendingOutbox()).toBe(0);
  });

  it('turns replacesKey into an edit of the message delivered under that key', async () => {
    const { adapter, outbox } = setup();
    store.enqueue(null, [
      {
        threadKey: T1,
        key: 'status:generate:3',
        payload: { text: 'section 1/8', replacesKey: 'status:generate:3' },
      },
      {
        threadKey: T1,
        key: 'status:generate:3',
        payload: { text: 'section 2/8', replacesKey: 'status:generate:3' },
      },
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

  it("never lets one channel's pacing wait hold up another channel", async () => {
    let clock = 1_000;
    const held: (() => void)[] = [];
    const adapter = new MemoryAdapter({ perChannelIntervalMs: 1_000 });
    store = openStore(':memory:', { now: () => clock });
    const outbox = new Outbox({
      store,
      adapters: [adapter],
      logger: silentLogger,
      now: () => clock,
      pollMs: 5,
      // Pacing waits stay pending until the test releases them.
      sleep: (ms) =>
        new Promise<void>((resolve) =>
          held.push(() => {
            clock += ms;
            resolve();
          }),
        ),
    });
    const texts = () => adapter.sent.map((s) => s.message.text);
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    store.enqueue(null, [
      { threadKey: 'memory:C1:a', payload: { text: 'a1' } },
      { threadKey: 'memory:C1:b', payload: { text: 'b1' } },
    ]);
    outbox.start();
    await until(() => texts().length === 1 && held.length === 1);
    expect(texts()).toEqual(['a1']);
    // C1 now waits out its pacing before b1; a message for C2 must not queue behind it.
    store.enqueue(null, [{ threadKey: 'memory:C2:c', payload: { text: 'c1' } }]);
    outbox.kick();
    await until(() => texts().includes('c1'));
    expect(texts()).toEqual(['a1', 'c1']);
    for (const release of held.splice(0)) release();
    await until(() => texts().length === 3);
    await outbox.stop(0);
    expect(texts()).toEqual(['a1', 'c1', 'b1']);
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
