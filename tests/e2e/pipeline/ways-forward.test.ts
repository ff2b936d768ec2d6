/**
 * Item 3 of issue 12: every gate has a way forward. The outline gate shows every smoke check in
 * full; a run whose only failure is a check's expected output asks "fix the script, or fix the
 * check?"; after the repair limit a working script can be shipped as is, given 3 more rounds, or
 * have its checks changed; a script that does not compile never passes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { judge } from '../../../src/pipeline/stages/run.js';
import { parseState } from '../../../src/pipeline/types.js';
import type { RunResult } from '../../../src/sandbox/types.js';
import { BROKEN_FIND_DUPLICATES, REFERENCE_GOAL, REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';
import { referenceGoalScript, type ScriptResponder } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const RIGHT_CHECK = REFERENCE_OUTLINE.smokeChecks[0]!;
const WRONG_CHECK = { ...RIGHT_CHECK, expectOutput: ['Duplicates dropped: 1'] };

/** The reference goal whose one smoke check expects output the (correct) script never prints. */
function wrongCheck(): ScriptResponder {
  const base = referenceGoalScript();
  return (call) => {
    if (call.task === 'outline') return { ...REFERENCE_OUTLINE, smokeChecks: [WRONG_CHECK] };
    if (call.task === 'revise_checks') return { smokeChecks: [RIGHT_CHECK] };
    return base(call);
  };
}

async function toRunGate(harness: Harness): Promise<void> {
  await harness.chat.startSession(REFERENCE_GOAL);
  await harness.app.idle();
  await harness.chat.click('Approve');
  await harness.app.idle();
  expect(harness.session().stage).toBe('approve_run');
}

describe('every gate has a way forward', () => {
  it('shows every smoke check in full at the outline gate', async () => {
    h = await startHarness(referenceGoalScript());
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    const outline = h.chat.texts().find((t) => t.includes('Approve it, or reply')) ?? '';
    expect(outline).toContain('arguments: data.csv --key id --output out.csv --report report.txt');
    expect(outline).toContain('file data.csv (60 chars): "id,name,city\\n1,Ada,London');
    expect(outline).toContain('expects: exit code 0, output containing "removed 1"');
  });

  it('asks "fix the script, or fix the check?" when only the expected output differs; Fix the check reruns', async () => {
    h = await startHarness(wrongCheck());
    await toRunGate(h);
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage).toBe('check_or_script');
    expect(h.llm.countByTask().repair ?? 0).toBe(0);
    expect(h.chat.texts().at(-1)).toMatch(
      /^The check expected "Duplicates dropped: 1", the script printed .* — fix the script, or fix the check\?/,
    );
    await h.chat.click('Fix the check');
    await h.app.idle();
    const session = h.session();
    expect(session.stage).toBe('give_feedback');
    expect(parseState(session.state).outline?.smokeChecks).toEqual([RIGHT_CHECK]);
    expect(h.store.listRuns(session.id).map((r) => r.status)).toEqual(['check_failed', 'ok']);
  });

  it('after the repair limit: Ship as is ships and the review card says which check fails', async () => {
    h = await startHarness(
      referenceGoalScript({
        section: (name) => (name === 'find_duplicates' ? BROKEN_FIND_DUPLICATES : undefined),
      }),
      { FF2_MAX_REPAIRS: '1' },
    );
    await toRunGate(h);
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage).toBe('after_repairs');
    await h.chat.click('Ship as is');
    await h.app.idle();
    expect(h.session().stage).toBe('shipped');
    const card = h.chat.sent.find((s) => s.message.title === 'Script shipped — review wanted');
    expect(card?.message.text).toMatch(/Shipped with failing checks: .*AttributeError/);
  });

  it('after the repair limit: Try 3 more rounds repairs three more times', async () => {
    h = await startHarness(
      referenceGoalScript({
        section: (name) => (name === 'find_duplicates' ? BROKEN_FIND_DUPLICATES : undefined),
      }),
      { FF2_MAX_REPAIRS: '1' },
    );
    await toRunGate(h);
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.llm.countByTask().repair).toBe(1);
    await h.chat.click('Try 3 more rounds');
    await h.app.idle();
    expect(h.session().stage).toBe('after_repairs');
    expect(h.llm.countByTask().repair).toBe(4);
  });

  it('after the repair limit: Change the checks takes words and reruns with the new checks', async () => {
    const base = referenceGoalScript();
    let asked = '';
    h = await startHarness(
      (call) => {
        if (call.task === 'outline')
          return { ...REFERENCE_OUTLINE, smokeChecks: [{ ...RIGHT_CHECK, expectExit: 3 }] };
        if (call.task === 'revise_checks') {
          asked = call.messages.at(-1)?.content ?? '';
          return { smokeChecks: [RIGHT_CHECK] };
        }
        return base(call);
      },
      { FF2_MAX_REPAIRS: '1' },
    );
    await toRunGate(h);
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage).toBe('after_repairs');
    await h.chat.click('Change the checks');
    await h.app.idle();
    await h.chat.say('the check should expect exit code 0');
    await h.app.idle();
    expect(asked).toContain('the check should expect exit code 0');
    expect(h.session().stage).toBe('give_feedback');
  });

  it('a run that does not compile never passes, whatever the check expects', () => {
    const result: RunResult = {
      status: 'error',
      exitCode: 1,
      signal: null,
      stdout: '',
      stderr: '  File "main.py", line 3\n    def f(:\nSyntaxError: invalid syntax\n',
      truncated: false,
      durationMs: 10,
      peakRssKb: 0,
      traceback: { type: 'SyntaxError', message: 'invalid syntax', frames: [] },
      outputFiles: [],
    } as unknown as RunResult;
    const check = { ...RIGHT_CHECK, expectExit: 1, expectOutput: [] };
    expect(judge(check, result)).toMatch(/does not compile/);
  });
});
