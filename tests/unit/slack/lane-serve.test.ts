import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmitLane } from '../../../src/bots/slack/lane.js';
import { runCli } from '../../../src/cli.js';

describe('EmitLane', () => {
  it('starts tasks in order, one per turn, and passes results and errors through', async () => {
    const lane = new EmitLane();
    const started: number[] = [];
    const results = [1, 2, 3].map((n) =>
      lane.run(async () => {
        started.push(n);
        if (n === 2) throw new Error('two');
        return n * 10;
      }),
    );
    expect(started).toEqual([]); // nothing runs in the caller's turn
    const settled = await Promise.allSettled(results);
    expect(started).toEqual([1, 2, 3]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      10,
      'two',
      30,
    ]);
  });
});

describe('ff2 serve', () => {
  it('refuses to start without a configured front door', async () => {
    let err = '';
    const code = await runCli(['serve'], {
      out: () => {},
      err: (t) => {
        err += t;
      },
      env: { FF2_DATA_DIR: mkdtempSync(join(tmpdir(), 'ff2-serve-none-')) },
      cwd: '/tmp',
      stdin: process.stdin,
      stdoutIsTTY: false,
    });
    expect(code).toBe(3);
    expect(err).toContain('no chat front door is configured');
    expect(err).toContain('SLACK_BOT_TOKEN');
  });
});
