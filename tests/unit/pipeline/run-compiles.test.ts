import { describe, expect, it } from 'vitest';
import type { StageContext } from '../../../src/pipeline/context.js';
import { codeHash } from '../../../src/pipeline/script.js';
import { runStage } from '../../../src/pipeline/stages/run.js';
import { initialState } from '../../../src/pipeline/types.js';
import type { Analysis, PythonToolchain } from '../../../src/python/types.js';
import type { RunResult, Sandbox } from '../../../src/sandbox/types.js';
import { NAP_OUTLINE, NAP_OUTPUT, NAP_SECTIONS } from '../../fakes/nap-goal.js';

/**
 * The run stage and QA's verdict on the script: a script QA found compiling is run without a
 * second analyser process; any other script (changed since, or never analysed) is analysed first.
 */
const CODE = Object.values(NAP_SECTIONS).join('\n\n\n');

function context(compiles: string | null) {
  const analysed: string[] = [];
  const python = {
    async analyze(source: string) {
      analysed.push(source);
      return { syntaxError: null } as unknown as Analysis;
    },
  } as PythonToolchain;
  // Prints what the nap script prints, so the one smoke check passes.
  const sandbox: Sandbox = {
    async run(): Promise<RunResult> {
      return {
        status: 'ok',
        exitCode: 0,
        signal: null,
        durationMs: 1000,
        stdout: `${NAP_OUTPUT}\n`,
        stderr: '',
        truncated: false,
        traceback: null,
        outputFiles: [],
        screenshot: null,
      };
    },
    async check() {
      return { ok: true, detail: 'fake' };
    },
  };
  const ctx = {
    sessionId: 's1',
    goal: 'nap',
    stage: 'run',
    state: { ...initialState(), outline: NAP_OUTLINE, code: CODE, compiles },
    signal: new AbortController().signal,
    python,
    sandbox,
    maxRepairs: 3,
    progress: () => undefined,
  } as unknown as StageContext;
  return { ctx, analysed };
}

describe('run stage: the syntax check before a run', () => {
  it('does not analyse the script again when QA found this very script compiling', async () => {
    const { ctx, analysed } = context(codeHash(CODE));
    expect((await runStage.run(ctx)).result).toBe('passed');
    expect(analysed).toEqual([]);
  });

  it('analyses a script that changed since QA, or that QA never passed', async () => {
    for (const compiles of [codeHash(`${CODE}\n# edited`), null]) {
      const { ctx, analysed } = context(compiles);
      expect((await runStage.run(ctx)).result).toBe('passed');
      expect(analysed).toEqual([CODE]);
    }
  });
});
