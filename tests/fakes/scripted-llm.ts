/**
 * ScriptedLlm: an LlmProvider whose answers come from a function of the call (task, section,
 * messages). It behaves like a real provider: answers are validated against the request's schema
 * with ONE corrective retry, then `LlmError('invalid_output')`; an aborted signal throws
 * `LlmError('aborted')`; tokens are counted roughly (characters / 4). Every model attempt is
 * recorded in `calls`.
 *
 * The same responders work over HTTP through the OpenAI stand-in: `respondFromScript(responder)`
 * turns one into a `Responder` for `startOpenAiServer`, for child-process tests.
 */
import type { ZodType } from 'zod';
import {
  type ChatMessage,
  type CompletionRequest,
  type CompletionResult,
  LlmError,
  type LlmProvider,
} from '../../src/llm/types.js';
import {
  type FakeRequest,
  type FakeResponse,
  fakeTokens,
  jsonAnswer,
  answer as rawAnswer,
} from './openai-server.js';
import { REFERENCE_OUTLINE, REFERENCE_SECTIONS } from './reference-goal.js';

export interface ScriptedCall {
  /** The prompt's task ("interview", "outline", "generate", "review", "qa_fix", "repair", "change", …). */
  task: string;
  /** The section a generate/fix prompt is about, when there is one. */
  section: string | undefined;
  messages: ChatMessage[];
  /** 1 for the first answer, 2 for the corrective retry. */
  attempt: number;
  /** 0-based count of model attempts before this one (all tasks). */
  index: number;
  /** How many earlier calls had the same task and section. */
  repeat: number;
}

/** An answer value (JSON-serialised) or `{ raw }` text sent as is. */
export type ScriptedAnswer = unknown;
export type ScriptResponder = (call: ScriptedCall) => ScriptedAnswer | Promise<ScriptedAnswer>;

/** The section a prompt is about, if any (the eval oracle reads prompts the same way). */
import { sectionOf } from '../../src/eval/oracle.js';

export { sectionOf };

export class ScriptedLlm implements LlmProvider {
  readonly name = 'scripted';
  readonly model = 'scripted-model';
  readonly calls: ScriptedCall[] = [];
  readonly #respond: ScriptResponder;
  readonly #seen = new Map<string, number>();

  constructor(respond: ScriptResponder) {
    this.#respond = respond;
  }

  /** Model attempts per task. */
  countByTask(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.calls) counts[c.task] = (counts[c.task] ?? 0) + 1;
    return counts;
  }

  async complete<T = string>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
    const usage = { promptTokens: 0, completionTokens: 0 };
    const task = request.schemaName ?? 'unknown';
    const section = sectionOf(request.messages);
    const seenKey = `${task}:${section ?? ''}`;
    const repeat = this.#seen.get(seenKey) ?? 0;
    this.#seen.set(seenKey, repeat + 1);
    let lastError = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (request.signal?.aborted) throw new LlmError('aborted', false, 'The call was cancelled.');
      const call: ScriptedCall = {
        task,
        section,
        messages: request.messages,
        attempt,
        index: this.calls.length,
        repeat,
      };
      this.calls.push(call);
      usage.promptTokens += fakeTokens(request.messages.map((m) => m.content).join('\n'));
      const answer = await this.#respond(call);
      if (request.signal?.aborted) throw new LlmError('aborted', false, 'The call was cancelled.');
      const text = answerText(answer);
      usage.completionTokens += fakeTokens(text);
      if (!request.schema) return this.#result(text, text as T, usage);
      const parsed = validate(request.schema, text);
      if (parsed.ok) return this.#result(text, parsed.value, usage);
      lastError = parsed.error;
    }
    throw new LlmError('invalid_output', false, `The model's answer was unusable twice (${lastError}).`, {
      usage,
    });
  }

  #result<T>(
    text: string,
    value: T,
    usage: { promptTokens: number; completionTokens: number },
  ): CompletionResult<T> {
    return { text, value, usage, model: this.model, provider: this.name, latencyMs: 0 };
  }
}

function answerText(answer: ScriptedAnswer): string {
  if (answer && typeof answer === 'object' && 'raw' in answer)
    return String((answer as { raw: unknown }).raw);
  return JSON.stringify(answer);
}

function validate<T>(
  schema: ZodType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const result = schema.safeParse(json);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: result.error.message.slice(0, 200) };
}

export interface ReferenceOptions {
  /** Interview questions to ask (default none: the reference goal is clear). */
  questions?: { question: string; choices: string[]; default: string }[];
  /** Per-section code overrides by call: return a string to use instead of the good section. */
  section?: (name: string, call: ScriptedCall) => string | undefined;
  /** The answer to a change request. */
  change?: (call: ScriptedCall) => ScriptedAnswer;
}

/** Good answers for the reference goal (a real, working CSV-dedupe script). */
/** A review answer that passes every section of `sections` on every criterion. */
export function passingReview(sections: Record<string, unknown>) {
  return {
    verdicts: Object.keys(sections).map((section) => ({
      section,
      specMatch: true,
      structure: true,
      interfaces: true,
      noPlaceholders: true,
      style: true,
      issues: [],
    })),
  };
}

export function referenceGoalScript(options: ReferenceOptions = {}): ScriptResponder {
  return (call) => {
    switch (call.task) {
      case 'interview':
        return { questions: options.questions ?? [] };
      case 'outline':
      case 'revise_outline':
        return REFERENCE_OUTLINE;
      case 'generate':
      case 'qa_fix':
      case 'review_fix':
      case 'repair': {
        const name = call.section ?? 'main';
        const code = options.section?.(name, call) ?? REFERENCE_SECTIONS[name];
        if (code === undefined) return { code: `def ${name}(*args):\n    """Added."""\n    return None` };
        return call.task === 'repair' && !call.section ? { target: 'main', code, reason: 'fixed' } : { code };
      }
      case 'review':
        return passingReview(REFERENCE_SECTIONS);
      case 'change':
        return (
          options.change?.(call) ?? {
            clear: true,
            question: '',
            target: 'write_report',
            code: REFERENCE_SECTIONS.write_report!.replace(
              'Removed %d duplicate row(s)',
              'Duplicates removed: %d',
            ),
            summary: 'the report heading now reads "Duplicates removed"',
            remaining: [],
          }
        );
      default:
        return { raw: `no scripted answer for task ${call.task}` };
    }
  };
}

/** Serves a script responder through the OpenAI stand-in (`startOpenAiServer({ respond })`). */
export function respondFromScript(
  responder: ScriptResponder,
): (request: FakeRequest) => Promise<FakeResponse> {
  const seen = new Map<string, number>();
  return async (request) => {
    const messages = request.messages.map((m) => ({
      role: m.role as ChatMessage['role'],
      content: m.content,
    }));
    const task = request.schemaName ?? 'unknown';
    const section = sectionOf(messages);
    const key = `${task}:${section ?? ''}`;
    const repeat = seen.get(key) ?? 0;
    seen.set(key, repeat + 1);
    const answer = await responder({ task, section, messages, attempt: 1, index: request.index, repeat });
    if (answer && typeof answer === 'object' && 'raw' in answer) {
      return rawAnswer(String((answer as { raw: unknown }).raw), { request });
    }
    return jsonAnswer(answer, { request });
  };
}
