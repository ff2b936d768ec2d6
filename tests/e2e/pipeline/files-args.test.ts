/**
 * Item 5 of issue 12: files and arguments at any time. A file attached during the interview reaches
 * the outline prompt (name, size, first lines); a binary one is described in one line; "Run with
 * input" takes shell-quoted arguments; smoke checks can use an attached file by name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseState } from '../../../src/pipeline/types.js';
import { REFERENCE_CSV, REFERENCE_GOAL, REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const QUESTIONS = [{ question: 'Which delimiter?', choices: ['comma', 'semicolon'], default: 'comma' }];

describe('files and arguments at any time', () => {
  it('a file attached in the interview reaches the outline prompt; checks can use it by name', async () => {
    const base = referenceGoalScript({ questions: QUESTIONS });
    h = await startHarness((call) => {
      if (call.task === 'outline') {
        // The check names the attached file instead of bringing its own copy.
        const check = {
          ...REFERENCE_OUTLINE.smokeChecks[0]!,
          args: ['people.csv', '--key', 'id'],
          files: [],
        };
        return { ...REFERENCE_OUTLINE, smokeChecks: [check] };
      }
      return base(call);
    });
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    expect(h.session().stage).toBe('answer_questions');
    await h.chat.attach('people.csv', new TextEncoder().encode(REFERENCE_CSV));
    await h.chat.attach('logo.png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
    await h.app.idle();
    expect(h.chat.texts().at(-1)).toContain('Saved logo.png');
    await h.chat.click('comma');
    await h.app.idle();
    const prompt =
      h.llm.calls
        .find((c) => c.task === 'outline')
        ?.messages.map((m) => m.content)
        .join('\n') ?? '';
    expect(prompt).toContain('File people.csv (60 bytes):\nid,name,city\n1,Ada,London');
    expect(prompt).toContain('File logo.png (10 bytes):\n(binary file; first bytes 89504e4700000001)');
    expect(prompt).toContain('under these names: people.csv, logo.png');
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage).toBe('give_feedback');
  });

  it('"Run with input" takes shell-quoted arguments', async () => {
    h = await startHarness(referenceGoalScript());
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.attach('my data.csv', new TextEncoder().encode(REFERENCE_CSV));
    await h.app.idle();
    await h.chat.click('Run with input…');
    await h.app.idle();
    await h.chat.say(`args: 'my data.csv' --key "name" --keep last`);
    await h.app.idle();
    const session = h.session();
    expect(parseState(session.state).runInput.args).toEqual([
      'my data.csv',
      '--key',
      'name',
      '--keep',
      'last',
    ]);
    const run = h.store.listRuns(session.id)[0]!;
    const yours = (run.result as { checks: { label: string; status: string; stderr: string }[] }).checks[0]!;
    expect(yours.label).toBe('your input');
    expect(yours.status).toBe('ok');
    expect(yours.stderr).toContain('kept 3 row(s), removed 1 duplicate(s)');
  });
});
