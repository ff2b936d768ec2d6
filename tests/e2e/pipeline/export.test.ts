import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { exportCommand } from '../../../src/commands/export.js';
import type { CliIo } from '../../../src/commands/types.js';
import { BROKEN_FIND_DUPLICATES, REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('ff2 export', () => {
  it('writes versions, goal, outline, diffs and runs a person can read', async () => {
    h = await startHarness(
      referenceGoalScript({
        section: (name, call) =>
          name === 'find_duplicates' && call.task === 'generate' ? BROKEN_FIND_DUPLICATES : undefined,
      }),
    );
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.click('Run');
    await h.app.idle();
    const id = h.session().id;
    const out: string[] = [];
    const io: CliIo = {
      out: (t) => out.push(t),
      err: (t) => out.push(t),
      env: { FF2_DATA_DIR: h.dir },
      cwd: h.dir,
      stdin: new PassThrough(),
      stdoutIsTTY: false,
    };
    expect(await exportCommand.run([id, 'exported'], io)).toBe(0);
    const dir = join(h.dir, 'exported');
    expect(readdirSync(dir).sort()).toEqual([
      '01_generated.py',
      '02_repair-1-find_duplicates.py',
      'diffs',
      'goal.md',
      'outline.md',
      'runs',
    ]);
    expect(readFileSync(join(dir, 'diffs', '02_repair-1-find_duplicates.diff'), 'utf8')).toContain(
      '+    keep_numbers = set(chosen.values())',
    );
    expect(readFileSync(join(dir, 'goal.md'), 'utf8')).toContain(REFERENCE_GOAL);
    expect(readFileSync(join(dir, 'outline.md'), 'utf8')).toContain('find_duplicates(rows, indexes, keep)');
    expect(readdirSync(join(dir, 'runs'))).toEqual(['001_error.txt', '002_ok.txt']);
    expect(readFileSync(join(dir, 'runs', '001_error.txt'), 'utf8')).toContain('AttributeError');
    expect(await exportCommand.run(['nope'], io)).toBe(1);
    expect(existsSync(join(h.dir, 'sessions', 'nope'))).toBe(false);
  });
});
