import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the reference goal', () => {
  it('goes from goal to shipped script in the thread, within the call budget', async () => {
    h = await startHarness(referenceGoalScript());
    const { app, chat, store } = h;
    await chat.startSession(REFERENCE_GOAL);
    await app.idle();
    expect(h.session().stage).toBe('approve_outline');
    expect(chat.texts().some((t) => t.includes('parse_args('))).toBe(true);

    await chat.click('Approve');
    await app.idle();
    expect(h.session().stage).toBe('approve_run');
    const callsToFirstRun = store.usageTotals(h.session().id).calls;
    expect(callsToFirstRun).toBeLessThanOrEqual(12);
    expect(store.usageTotals(h.session().id).promptTokens).toBeLessThanOrEqual(40_000);

    await chat.click('Run');
    await app.idle();
    const afterRun = h.session();
    expect(afterRun.stage, chat.texts().slice(-2).join('\n')).toBe('give_feedback');
    expect(chat.texts().some((t) => t.includes('✓ dedupe on id'))).toBe(true);
    expect(store.listRuns(afterRun.id)[0]?.status).toBe('ok');

    await chat.say('ship it');
    await app.idle();
    const shipped = h.session();
    expect(shipped.stage).toBe('shipped');
    expect(shipped.status).toBe('done');
    expect(chat.files().some((f) => f.name === 'script.py' && f.text.includes('def find_duplicates'))).toBe(
      true,
    );
    expect(chat.findButton('Request changes', '')).toBeDefined();
    // Nothing posted twice.
    const posts = chat.texts();
    expect(new Set(posts).size).toBe(posts.length);
  });
});
