/**
 * Issue 12 (items 1 and 3): the runner refuses a stage outcome that would break the session
 * before it is stored: a state that fails its own schema (a function name with parentheses, a
 * 21st function) or an outline whose checks no longer fit the run rules. The stage pauses with
 * Retry / Cancel instead; the stored state stays readable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmProvider } from '../../../src/llm/types.js';
import { silentLogger } from '../../../src/logger.js';
import type { Stage } from '../../../src/pipeline/context.js';
import { PipelineRunner } from '../../../src/pipeline/runner.js';
import { STAGES } from '../../../src/pipeline/stages/index.js';
import { type Outline, parseState } from '../../../src/pipeline/types.js';
import type { PythonToolchain } from '../../../src/python/types.js';
import type { Sandbox } from '../../../src/sandbox/types.js';
import { openStore, type SqliteSessionStore } from '../../../src/store/sqlite.js';
import { REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';

let store: SqliteSessionStore;
afterEach(() => store?.close());

function runnerWith(outline: (current: Outline) => Outline) {
  store = openStore(':memory:');
  const interview: Stage = {
    async run(ctx) {
      return { result: 'clear', state: { ...ctx.state, outline: outline(REFERENCE_OUTLINE) } };
    },
  };
  const runner = new PipelineRunner({
    store,
    logger: silentLogger,
    now: Date.now,
    llm: {} as LlmProvider,
    sandbox: {} as Sandbox,
    python: {} as PythonToolchain,
    maxRepairs: 3,
    runRules: { wallSeconds: 10, packages: [] },
    stages: { ...STAGES, interview },
  });
  runner.create({ id: 's1', threadKey: 'terminal:C1:t1', platform: 'terminal', ownerId: 'u', goal: 'g' });
  return runner;
}

const signal = new AbortController().signal;
const fn = (name: string) => ({ name, params: '', returns: '', purpose: '', calls: [] });

describe('stage outcomes are checked before they are stored', () => {
  it.each([
    [
      'a function name that is not an identifier',
      (o: Outline) => ({ ...o, functions: [...o.functions, fn('write_report()')] }),
    ],
    [
      'a 21st function',
      (o: Outline) => ({ ...o, functions: Array.from({ length: 21 }, (_, i) => fn(`f${i}`)) }),
    ],
    ['a GUI check expecting printed output', (o: Outline) => ({ ...o, runMode: 'gui' as const })],
    [
      'a check longer than the wall limit',
      (o: Outline) => ({ ...o, smokeChecks: [{ ...o.smokeChecks[0]!, description: 'runs for 30 seconds' }] }),
    ],
  ])('refuses %s: the stage pauses, the state stays readable', async (_, change) => {
    const runner = runnerWith(change);
    const row = await runner.step('s1', signal);
    expect(row?.stage).toBe('retry_paused');
    const state = parseState(row?.state);
    expect(state.outline).toBeNull();
    expect(state.paused?.stage).toBe('interview');
    const texts = store.listEvents('s1').filter((e) => e.type === 'stage_error');
    expect(texts).toHaveLength(1);
  });
});
