/**
 * Item 2 of issue 12: a session whose stored state cannot be read is never frozen. Cancel works,
 * `ff2 show` and `ff2 export` work, a working one is ended once with its last good version attached,
 * and a restart does not resume it again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../fakes/cli.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** What the frozen sessions of the issue held: an outline function whose name is not an identifier. */
function corrupt(harness: Harness, status?: 'working'): void {
  const row = harness.session();
  const state = structuredClone(row.state) as { outline: { functions: { name: string }[] } };
  state.outline.functions[1]!.name = 'write_report()';
  harness.store.commit(row.id, row.version, {
    patch: { state, ...(status ? { status, stage: 'generate' } : {}) },
  });
}

async function toRunGate(harness: Harness): Promise<void> {
  await harness.chat.startSession(REFERENCE_GOAL);
  await harness.app.idle();
  await harness.chat.click('Approve');
  await harness.app.idle();
  expect(harness.session().stage).toBe('approve_run');
}

describe('a session with an unreadable state', () => {
  it('can still be cancelled, shown and exported', async () => {
    h = await toRunGateHarness();
    corrupt(h);
    const env = { FF2_DATA_DIR: h.dir };
    const shown = await runCliCaptured(['show', h.session().id], env, h.dir);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(REFERENCE_GOAL);
    const exported = await runCliCaptured(['export', h.session().id, 'out'], env, h.dir);
    expect(exported.code).toBe(0);

    await h.chat.say('cancel');
    await h.app.idle();
    expect(h.session().status).toBe('cancelled');
    const last = h.chat.texts().at(-1) ?? '';
    expect(last).toMatch(/^Cancelled\. This session had hit an internal error/);
    expect(h.chat.files().some((f) => f.name === 'script-v1.py' && f.text.includes('def main('))).toBe(true);
    // Later input gets a polite "ended", not a crash.
    await h.chat.say('hello?');
    await h.app.idle();
    expect(h.session().status).toBe('cancelled');
  });

  it('ends a working one once, with the last good version, and a restart does not resume it', async () => {
    h = await toRunGateHarness();
    corrupt(h, 'working');
    await h.restart();
    await h.app.idle();
    expect(h.session().status).toBe('failed');
    const reports = () => h!.chat.texts().filter((t) => t.startsWith('This session hit an internal error'));
    expect(reports()).toHaveLength(1);
    expect(h.chat.files().some((f) => f.name === 'script-v1.py')).toBe(true);
    await h.restart();
    await h.app.idle();
    expect(h.session().status).toBe('failed');
    expect(reports()).toHaveLength(1);
    const events = h.store.listEvents(h.session().id).filter((e) => e.type === 'internal_error');
    expect(events).toHaveLength(1);
  });

  it('a waiting one answered in words is ended once, not left frozen', async () => {
    h = await toRunGateHarness();
    corrupt(h);
    await h.chat.say('make the report shorter');
    await h.app.idle();
    expect(h.session().status).toBe('failed');
    await h.chat.click('Cancel');
    await h.app.idle();
    expect(h.session().status).toBe('failed');
  });
});

async function toRunGateHarness(): Promise<Harness> {
  const harness = await startHarness(referenceGoalScript());
  await toRunGate(harness);
  return harness;
}
