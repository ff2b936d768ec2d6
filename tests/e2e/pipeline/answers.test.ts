/**
 * Item 1 of issue 12: every model answer is checked against the session before it touches state.
 * A change whose target is not an identifier, a whole script given for one section, or a change
 * that would exceed the outline's limits is refused (after one retry) with a clear message and a
 * way forward; nothing is stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseState } from '../../../src/pipeline/types.js';
import { REFERENCE_GOAL, REFERENCE_OUTLINE, REFERENCE_SECTIONS } from '../../fakes/reference-goal.js';
import { referenceGoalScript, type ScriptResponder } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const WHOLE_SCRIPT = Object.values(REFERENCE_SECTIONS).join('\n\n\n');
const NEW_REPORT = REFERENCE_SECTIONS.write_report!.replace('Removed %d', 'Dropped %d');

async function toFeedback(harness: Harness): Promise<void> {
  await harness.chat.startSession(REFERENCE_GOAL);
  await harness.app.idle();
  await harness.chat.click('Approve');
  await harness.app.idle();
  await harness.chat.click('Run');
  await harness.app.idle();
  expect(harness.session().stage).toBe('give_feedback');
}

function change(target: string, code: string): ScriptResponder {
  return referenceGoalScript({
    change: () => ({ clear: true, question: '', target, code, summary: 'changed', remaining: [] }),
  });
}

describe('model answers are checked before they touch state', () => {
  it('refuses a change whose target is not an identifier, keeps the session usable, and ships', async () => {
    h = await startHarness(change('write_report()', NEW_REPORT));
    await toFeedback(h);
    const before = h.session();
    await h.chat.say('make the report say dropped instead of removed');
    await h.app.idle();
    const after = h.session();
    expect(after.stage).toBe('give_feedback');
    expect(h.chat.texts().at(-1)).toContain(
      'I could not apply that change: target: "write_report()" is not a Python identifier',
    );
    expect(h.llm.countByTask().change).toBe(2); // the answer and its one retry
    const retry = h.llm.calls.filter((c) => c.task === 'change')[1]!;
    expect(retry.messages.at(-1)?.content).toContain('Your answer was rejected');
    expect(parseState(after.state).outline).toEqual(parseState(before.state).outline);
    expect(h.store.listScriptVersions(after.id)).toHaveLength(h.store.listScriptVersions(before.id).length);
    await h.chat.click('Ship it');
    await h.app.idle();
    expect(h.session().stage).toBe('shipped');
  });

  it('refuses a whole script given as the code of one section', async () => {
    h = await startHarness(change('write_report', WHOLE_SCRIPT));
    await toFeedback(h);
    await h.chat.say('make the report say dropped instead of removed');
    await h.app.idle();
    expect(h.session().stage).toBe('give_feedback');
    expect(h.chat.texts().at(-1)).toMatch(/I could not apply that change: it must define only write_report/);
  });

  it('refuses a new function beyond the outline limit of 20, saying so', async () => {
    const many = Array.from({ length: 14 }, (_, i) => ({
      name: `helper_${i}`,
      params: '',
      returns: 'None',
      purpose: 'helps',
      calls: [],
    }));
    const outline = { ...REFERENCE_OUTLINE, functions: [...REFERENCE_OUTLINE.functions, ...many] };
    const base = change('brand_new', 'def brand_new():\n    """New."""\n    return 1');
    h = await startHarness((call) => {
      if (call.task === 'outline') return outline;
      if (call.task === 'generate' && call.section?.startsWith('helper_'))
        return { code: `def ${call.section}():\n    """Helps."""\n    return 1` };
      return base(call);
    });
    await toFeedback(h);
    await h.chat.say('add a brand new function');
    await h.app.idle();
    expect(h.session().stage).toBe('give_feedback');
    expect(h.chat.texts().at(-1)).toContain('the outline already has 20 functions');
    expect(parseState(h.session().state).outline?.functions).toHaveLength(20);
  });

  it('keeps the reviewed section when the rewrite is a whole script', async () => {
    const base = referenceGoalScript();
    h = await startHarness((call) => {
      if (call.task === 'review')
        return {
          verdicts: [
            {
              section: 'read_rows',
              specMatch: false,
              structure: true,
              interfaces: true,
              noPlaceholders: true,
              style: true,
              issues: ['use newline=""'],
            },
          ],
        };
      if (call.task === 'review_fix') return { code: `\`\`\`python\n${WHOLE_SCRIPT}\n\`\`\`` };
      return base(call);
    });
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_run');
    expect(h.llm.countByTask().review_fix).toBe(2);
    expect(h.chat.texts()).toContain(
      'Review: kept the script as it is (1 suggested rewrite(s) were not usable). Checking the script…',
    );
    expect(h.store.listScriptVersions(h.session().id).map((v) => v.reason)).toEqual(['generated']);
  });
});
