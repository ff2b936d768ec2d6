import { describe, expect, it } from 'vitest';
import {
  defaultLimits,
  dumpAfterSeconds,
  resolveLimits,
  rlimitArgs,
  runMemoryBytes,
  workDirInodes,
} from '../../../src/sandbox/limits.js';
import { SlotPool } from '../../../src/sandbox/slots.js';
import { classify, signalOf } from '../../../src/sandbox/status.js';
import { capUtf8 } from '../../../src/sandbox/utf8.js';

describe('capUtf8', () => {
  it('never splits a multi-byte character when cutting', () => {
    const bytes = new TextEncoder().encode('ab€€'); // 2 + 3 + 3 bytes
    expect(capUtf8(bytes, 4)).toEqual({ text: 'ab', truncated: true });
    expect(capUtf8(bytes, 5)).toEqual({ text: 'ab€', truncated: true });
    expect(capUtf8(bytes, 8)).toEqual({ text: 'ab€€', truncated: false });
  });

  it('turns invalid UTF-8 into replacement characters', () => {
    const { text } = capUtf8(new Uint8Array([0x61, 0xff, 0xfe, 0x62, 0xc3]), 100);
    expect(text).toBe('a\uFFFD\uFFFDb\uFFFD');
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  });
});

describe('limits', () => {
  it('gives GUI runs at least 2 GiB and lets a request override defaults', () => {
    const defaults = defaultLimits({ timeoutS: 15, memoryMb: 1024 });
    expect(resolveLimits(defaults, { timeoutMs: 2000 }, false)).toMatchObject({
      timeoutMs: 2000,
      memoryMb: 1024,
    });
    expect(resolveLimits(defaults, undefined, true).memoryMb).toBe(2048);
    expect(rlimitArgs(defaults)).toContain(`as=${1024 ** 3}:${1024 ** 3}`);
    expect(rlimitArgs(defaults)).toContain('cpu=10:11');
  });

  it("caps the work area's inodes far below a million, and budgets a whole run above one process", () => {
    const defaults = defaultLimits({ timeoutS: 15, memoryMb: 1024 });
    expect(workDirInodes(defaults)).toBeGreaterThanOrEqual(1024);
    expect(workDirInodes(defaults)).toBeLessThanOrEqual(65_536);
    expect(runMemoryBytes(defaults)).toBeGreaterThan(1024 ** 3);
    expect(runMemoryBytes(defaults)).toBeLessThan(2 * 1024 ** 3);
  });

  it('arms the faulthandler dump shortly before the wall limit', () => {
    expect(dumpAfterSeconds(15_000)).toBeCloseTo(14.5);
    expect(dumpAfterSeconds(2_000)).toBeCloseTo(1.7);
  });
});

describe('SlotPool', () => {
  it('hands out one UID per slot and queues the rest in order', async () => {
    const pool = new SlotPool([61001, 61002]);
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect([a.uid, b.uid]).toEqual([61001, 61002]);
    const order: number[] = [];
    const c = pool.acquire().then((s) => order.push(s.uid));
    const d = pool.acquire().then((s) => order.push(s.uid));
    expect(pool.queued).toBe(2);
    pool.release(b);
    pool.release(a);
    await Promise.all([c, d]);
    expect(order).toEqual([61002, 61001]);
  });

  it('drops a waiter whose signal aborts', async () => {
    const pool = new SlotPool([61001]);
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(pool.queued).toBe(0);
    pool.release(held);
    expect((await pool.acquire()).uid).toBe(61001);
  });

  it('never hands out a retired slot again, and fails waiters once none is left', async () => {
    const pool = new SlotPool([61001, 61002]);
    const a = await pool.acquire();
    const b = await pool.acquire();
    const waiting = pool.acquire();
    pool.retire(a);
    pool.release(b);
    expect((await waiting).uid).toBe(61002);
    pool.retire(b);
    expect(pool.usable).toBe(0);
    await expect(pool.acquire()).rejects.toThrow('quarantined');
  });
});

describe('status', () => {
  const base = {
    timedOut: false,
    canceled: false,
    maxBuffer: false,
    exitCode: 0,
    signal: null,
    traceback: null,
    screenshot: false,
  };
  it('maps bwrap exit 128+N to the signal name', () => {
    expect(signalOf(137, null)).toBe('SIGKILL');
    expect(signalOf(1, null)).toBeNull();
    expect(signalOf(null, 'SIGKILL')).toBe('SIGKILL');
  });
  it('classifies each outcome distinctly', () => {
    expect(classify(base)).toBe('ok');
    expect(classify({ ...base, exitCode: 1 })).toBe('error');
    expect(classify({ ...base, exitCode: null, timedOut: true, signal: 'SIGKILL' })).toBe('timeout');
    expect(classify({ ...base, exitCode: 1, maxBuffer: true })).toBe('output_limit');
    expect(
      classify({ ...base, exitCode: 1, traceback: { type: 'MemoryError', message: '', frames: [] } }),
    ).toBe('memory');
    expect(classify({ ...base, exitCode: 152, signal: 'SIGXCPU' })).toBe('timeout');
    const cpu = { type: 'CpuTimeLimitExceeded', message: 'CPU time limit exceeded', frames: [] };
    expect(classify({ ...base, exitCode: 1, traceback: cpu })).toBe('timeout');
    expect(classify({ ...base, exitCode: 137, signal: 'SIGKILL' })).toBe('killed');
    expect(classify({ ...base, canceled: true })).toBe('killed');
    const tb = { type: 'TclError', message: 'x', frames: [] };
    expect(classify({ ...base, screenshot: true, traceback: tb })).toBe('error');
  });
});
