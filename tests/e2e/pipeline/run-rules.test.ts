/**
 * Item 4 of issue 12: the model knows the sandbox. The outline, generate, fix and change prompts
 * state the run rules from the configuration; outline checks that break a rule are refused with
 * the reason and asked for once more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseState } from '../../../src/pipeline/types.js';
import { BROKEN_FIND_DUPLICATES, REFERENCE_GOAL, REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CHECK = REFERENCE_OUTLINE.smokeChecks[0]!;

describe('the run rules', () => {
  it('are stated in the outline, generate, repair and change prompts, from the configuration', async () => {
    h = await startHarness(
      referenceGoalScript({
        section: (name, call) =>
          name === 'find_duplicates' && call.task === 'generate' ? BROKEN_FIND_DUPLICATES : undefined,
      }),
      { FF2_SANDBOX_TIMEOUT_S: '17' },
    );
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.click('Run');
    await h.app.idle();
    await h.chat.say('make the report heading say Dropped');
    await h.app.idle();
    for (const task of ['outline', 'generate', 'repair', 'change']) {
      const call = h.llm.calls.find((c) => c.task === task);
      const system = call?.messages[0]?.content ?? '';
      expect(system, task).toContain('NO network access');
      expect(system, task).toContain('within 17 seconds');
      expect(system, task).toContain('Standard input is empty unless');
      expect(system, task).toContain('judged only by a screenshot');
      expect(system, task).toMatch(
        /Importable: the Python standard library (only\.|and only the third-party packages named in the script environment block)/,
      );
      if (system.includes('named in the script environment block'))
        expect(system, task).toContain('--- script environment ---');
    }
  });

  it('refuses outline checks that break a rule, says why, and asks once more', async () => {
    const base = referenceGoalScript();
    h = await startHarness((call) => {
      if (call.task === 'outline' && call.repeat === 0)
        return {
          ...REFERENCE_OUTLINE,
          smokeChecks: [
            { ...CHECK, args: ['https://example.com/data.csv'] },
            { ...CHECK, description: 'soak test for 10 minutes' },
          ],
        };
      return base(call);
    });
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    expect(h.session().stage).toBe('approve_outline');
    const retry = h.llm.calls.filter((c) => c.task === 'outline')[1];
    const reason = retry?.messages.at(-1)?.content ?? '';
    expect(reason).toContain('needs the network, which the sandbox does not have');
    expect(reason).toContain('runs longer than the 20 s limit');
    expect(parseState(h.session().state).outline?.smokeChecks).toEqual([CHECK]);
  });

  it('refuses a GUI check that expects printed output; twice refused pauses with Retry / Cancel', async () => {
    const base = referenceGoalScript();
    h = await startHarness((call) =>
      call.task === 'outline' ? { ...REFERENCE_OUTLINE, runMode: 'gui' } : base(call),
    );
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    expect(h.session().stage).toBe('retry_paused');
    expect(h.chat.texts().at(-1)).toContain(
      'expects printed output from a GUI run, which is judged by a screenshot only',
    );
    expect(h.chat.findButton('Retry')).toBeDefined();
    expect(h.chat.findButton('Cancel')).toBeDefined();
  });
});
