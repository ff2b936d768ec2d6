/**
 * A goal whose script sleeps one second when run, for benchmarks where sandbox slots (not CPU)
 * must be the bottleneck: good model answers for every step up to the run (no interview
 * questions, one outline, three sections, a clean review) and exactly ONE smoke check, so a
 * session's Run makes one sandbox run of ≥ 1 s.
 */
import type { Outline } from '../../src/pipeline/types.js';
import { passingReview, type ScriptResponder } from './scripted-llm.js';

export const NAP_GOAL = 'a script that waits one second and then says so';

/** What the script prints once it has slept (the smoke check expects it). */
export const NAP_OUTPUT = 'slept 1.0 s';

export const NAP_OUTLINE: Outline = {
  spec: 'Sleep for one second, then print that it slept; exit 1 if the sleep was cut short.',
  imports: ['sys', 'time'],
  globals: [{ name: 'NAP_SECONDS', purpose: 'how long to sleep' }],
  functions: [
    {
      name: 'nap',
      params: 'seconds',
      returns: 'float',
      purpose: 'sleep for the given seconds and return the time it took',
      calls: [],
    },
  ],
  classes: [],
  mainFlow: ['sleep', 'print that it slept', 'return 0'],
  runMode: 'cli',
  inputs: { argv: false, stdin: false, files: false },
  smokeChecks: [
    {
      description: 'sleeps one second and says so',
      args: [],
      stdin: '',
      files: [],
      expectExit: 0,
      expectOutput: [NAP_OUTPUT],
    },
  ],
};

export const NAP_SECTIONS: Readonly<Record<string, string>> = {
  imports: `"""Sleep for one second and say so."""
import sys
import time

NAP_SECONDS = 1.0`,
  nap: `def nap(seconds):
    """Sleep for the given seconds; return the time it took."""
    started = time.monotonic()
    time.sleep(seconds)
    return time.monotonic() - started`,
  main: `def main():
    """Sleep, then say so (exit 1 if the sleep was cut short)."""
    took = nap(NAP_SECONDS)
    if took < NAP_SECONDS:
        print("woke after %.3f s" % took, file=sys.stderr)
        return 1
    print("slept %.1f s" % NAP_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())`,
};

/** The model's answers for NAP_GOAL (serve with `respondFromScript` over the OpenAI stand-in). */
export function napGoalScript(): ScriptResponder {
  return (call) => {
    switch (call.task) {
      case 'interview':
        return { questions: [] };
      case 'outline':
      case 'revise_outline':
        return NAP_OUTLINE;
      case 'generate':
      case 'qa_fix':
      case 'review_fix':
      case 'repair':
        return { code: NAP_SECTIONS[call.section ?? 'main'] ?? NAP_SECTIONS.main };
      case 'review':
        return passingReview(NAP_SECTIONS);
      default:
        return { raw: `no scripted answer for task ${call.task}` };
    }
  };
}
