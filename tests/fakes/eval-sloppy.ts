/**
 * A sloppy model for `ff2 eval`'s own tests: on most goals it answers like the oracle, but on
 * chosen goals it fails in one known way, so the eval must attribute each failure to the right
 * stage and never crash:
 *
 *   interview  unusable answers to the interview (twice)        → stops at interview
 *   outline    unusable outline (twice)                         → stops at outline
 *   generate   unusable answers for the main section (twice)    → stops at generate
 *   review     unusable review (twice)                          → stops at review
 *   repair     a function that crashes every smoke check, and the same code again for every
 *              repair                                           → stops at repair
 *   hidden     a main() that passes its own smoke check but ignores the goal → ships, fails
 *              the hidden checks                                → hidden_checks
 *   hang       never answers the outline call until aborted     → timeout
 */
import type { Goal } from '../../src/eval/goal.js';
import { OracleModel, oracleAnswer, sectionOf } from '../../src/eval/oracle.js';
import type { ReferencePlan } from '../../src/eval/reference-plan.js';
import {
  type CompletionRequest,
  type CompletionResult,
  LlmError,
  type LlmProvider,
} from '../../src/llm/types.js';

export type SloppyFault = 'interview' | 'outline' | 'generate' | 'review' | 'repair' | 'hidden' | 'hang';

/** The stage each fault must be attributed to. */
export const EXPECTED_STOP: Record<SloppyFault, string> = {
  interview: 'interview',
  outline: 'outline',
  generate: 'generate',
  review: 'review',
  repair: 'repair',
  hidden: 'hidden_checks',
  hang: 'timeout',
};

const CRASH = (name: string, params: string) =>
  `def ${name}(${params}):\n    """Sloppy: always crashes."""\n    raise RuntimeError("sloppy model bug in ${name}")`;

const USELESS_MAIN = `def main(argv=None):
    """Sloppy: ignores the goal."""
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())`;

export class SloppyModel implements LlmProvider {
  readonly name = 'sloppy';
  readonly model = 'sloppy';
  readonly #goal: Goal;
  readonly #plan: ReferencePlan;
  readonly #fault: SloppyFault | undefined;
  readonly #oracle: OracleModel;

  constructor(goal: Goal, plan: ReferencePlan, fault: SloppyFault | undefined) {
    this.#goal = goal;
    this.#plan = plan;
    this.#fault = fault;
    this.#oracle = new OracleModel(goal, plan);
  }

  async complete<T = string>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
    const task = request.schemaName ?? 'unknown';
    const section = sectionOf(request.messages);
    const fault = this.#fault;
    if (fault === 'hang' && task === 'outline')
      return new Promise((_, reject) => {
        const abort = () => reject(new LlmError('aborted', false, 'The call was cancelled.'));
        if (request.signal?.aborted) abort();
        request.signal?.addEventListener('abort', abort, { once: true });
      });
    const unusable =
      (fault === 'interview' && task === 'interview') ||
      (fault === 'outline' && (task === 'outline' || task === 'revise_outline')) ||
      (fault === 'generate' && task === 'generate' && section === 'main') ||
      (fault === 'review' && task === 'review');
    if (unusable)
      throw new LlmError('invalid_output', false, "The model's answer was unusable twice (not JSON).", {
        usage: { promptTokens: 100, completionTokens: 20 },
      });
    const crashTarget = this.#plan.outline.functions[0];
    if (fault === 'repair' && crashTarget && section === crashTarget.name && task !== 'review')
      return this.#answer(request, { code: CRASH(crashTarget.name, crashTarget.params) });
    if (fault === 'repair' && crashTarget && task === 'repair' && !section)
      return this.#answer(request, {
        target: crashTarget.name,
        code: CRASH(crashTarget.name, crashTarget.params),
        reason: 'looks fine',
      });
    if (fault === 'hidden') {
      if (task === 'outline' || task === 'revise_outline') {
        const outline = oracleAnswer(this.#goal, this.#plan, request as CompletionRequest<unknown>) as object;
        return this.#answer(request, {
          ...outline,
          smokeChecks: [
            { description: 'it runs', args: [], stdin: '', files: [], expectExit: 0, expectOutput: ['done'] },
          ],
        });
      }
      if (section === 'main' && task !== 'review') return this.#answer(request, { code: USELESS_MAIN });
    }
    return this.#oracle.complete(request);
  }

  #answer<T>(request: CompletionRequest<T>, value: unknown): CompletionResult<T> {
    const text = JSON.stringify(value);
    const parsed = request.schema ? request.schema.parse(JSON.parse(text)) : (text as T);
    return {
      text,
      value: parsed,
      usage: {
        promptTokens: Math.ceil(request.messages.map((m) => m.content).join('').length / 4),
        completionTokens: Math.ceil(text.length / 4),
      },
      model: this.model,
      provider: this.name,
      latencyMs: 0,
    };
  }
}
