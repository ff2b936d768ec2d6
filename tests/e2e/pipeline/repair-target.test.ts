/**
 * Item 6 of issue 12: a missing-function repair sees the code that calls the function, and the
 * new function lands in the script and the outline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseState } from '../../../src/pipeline/types.js';
import { REFERENCE_GOAL, REFERENCE_SECTIONS } from '../../fakes/reference-goal.js';
import { referenceGoalScript } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MAIN_CALLING_TIDY = REFERENCE_SECTIONS.main!.replace(
  '    header, rows = read_rows(args.input)',
  '    header, rows = tidy_rows(*read_rows(args.input))',
);
const TIDY =
  'def tidy_rows(header, rows):\n    """Strip spaces."""\n    return header, [[c.strip() for c in r] for r in rows]';

describe('repair of a missing function', () => {
  it('writes it seeing its callers', async () => {
    h = await startHarness(
      referenceGoalScript({
        section: (name, call) => {
          if (name === 'main' && call.task !== 'repair') return MAIN_CALLING_TIDY;
          if (name === 'tidy_rows') return TIDY;
          return undefined;
        },
      }),
    );
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.click('Run');
    await h.app.idle();
    const repair = h.llm.calls.find((c) => c.task === 'repair' && c.section === 'tidy_rows');
    const prompt = repair?.messages.map((m) => m.content).join('\n') ?? '';
    expect(prompt).toContain('The section "tidy_rows" does not exist yet');
    expect(prompt).toContain('Related code (main, which calls tidy_rows), for reference only:');
    expect(prompt).toContain('tidy_rows(*read_rows(args.input))');
    const session = h.session();
    expect(session.stage).toBe('give_feedback');
    expect(parseState(session.state).outline?.functions.map((f) => f.name)).toContain('tidy_rows');
  });
});
