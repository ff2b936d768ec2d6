/**
 * The oracle model (`ff2 eval --model oracle`): an LlmProvider that answers each pipeline task
 * from the goal's reference solution — the questions the goal expects, the outline the reference
 * implies, each section's code, a clean review. It calibrates the eval: every goal should pass,
 * with the pipeline's own minimum number of calls. Answers are validated against the request's
 * schema like a real provider's; tokens are counted as characters / 4.
 */
import type { ZodType } from 'zod';
import { type CompletionRequest, type CompletionResult, LlmError, type LlmProvider } from '../llm/types.js';
import type { Goal } from './goal.js';
import type { ReferencePlan } from './reference-plan.js';

/** The section a generate/fix prompt is about, if any. */
export function sectionOf(messages: readonly { role: string; content: string }[]): string | undefined {
  const user = messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
  const m =
    /Write the section: (\S+)/.exec(user) ??
    /Current code of "([^"]+)"/.exec(user) ??
    /The section "([^"]+)" does not exist yet/.exec(user);
  return m?.[1];
}

/** What the oracle answers for one request (a JSON-serialisable value). */
export function oracleAnswer(goal: Goal, plan: ReferencePlan, request: CompletionRequest<unknown>): unknown {
  const task = request.schemaName ?? 'unknown';
  const section = sectionOf(request.messages);
  switch (task) {
    case 'interview':
      return {
        questions: goal.answers.map((a) => ({
          question: a.question,
          choices: [a.answer, 'something else'],
          default: 'something else',
        })),
      };
    case 'outline':
    case 'revise_outline':
      return plan.outline;
    case 'generate':
    case 'qa_fix':
    case 'review_fix':
      return { code: plan.sections[section ?? 'main'] ?? plan.sections.main };
    case 'repair':
      return section
        ? { code: plan.sections[section] ?? plan.sections.main }
        : { target: 'main', code: plan.sections.main, reason: 'the reference main' };
    case 'review':
      return {
        verdicts: Object.keys(plan.sections).map((name) => ({
          section: name,
          specMatch: true,
          structure: true,
          interfaces: true,
          noPlaceholders: true,
          style: true,
          issues: [],
        })),
      };
    case 'change':
      return {
        clear: false,
        question: 'The reference solution is final; what should change?',
        target: 'main',
        code: '',
        summary: '',
        remaining: [],
      };
    default:
      return { unknownTask: task };
  }
}

export class OracleModel implements LlmProvider {
  readonly name = 'oracle';
  readonly model = 'oracle';
  readonly #goal: Goal;
  readonly #plan: ReferencePlan;

  constructor(goal: Goal, plan: ReferencePlan) {
    this.#goal = goal;
    this.#plan = plan;
  }

  async complete<T = string>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
    if (request.signal?.aborted) throw new LlmError('aborted', false, 'The call was cancelled.');
    const text = JSON.stringify(oracleAnswer(this.#goal, this.#plan, request as CompletionRequest<unknown>));
    const usage = {
      promptTokens: Math.ceil(request.messages.map((m) => m.content).join('\n').length / 4),
      completionTokens: Math.ceil(text.length / 4),
    };
    const value = request.schema ? validate(request.schema, text) : (text as T);
    return { text, value, usage, model: this.model, provider: this.name, latencyMs: 0 };
  }
}

function validate<T>(schema: ZodType<T>, text: string): T {
  const result = schema.safeParse(JSON.parse(text));
  if (!result.success)
    throw new LlmError('invalid_output', false, `The oracle's answer did not fit: ${result.error.message}`);
  return result.data;
}
