import { type ZodType, z } from 'zod';
import { parseAnswer } from './json.js';
import { type ChatMessage, LlmError, type Usage } from './types.js';

/**
 * Structured answers: zod schema → strict JSON Schema, and the one-corrective-retry loop both
 * providers share.
 *
 * Schema shapes stages may use (OpenAI strict mode and node-llama-cpp grammars both accept them):
 * - `z.object` (every property is sent as required; use `.nullable()`, not `.optional()`, for a
 *   value the model may leave out), `z.array`, `z.string`, `z.number`, `z.int`, `z.boolean`,
 *   `z.enum`, `z.literal`, `z.union`/`z.discriminatedUnion` of those, `.nullable()`.
 * - Refinements (`.min`, `.regex`, `.refine`) are checked by zod after parsing; they are hints,
 *   not guarantees, to the model.
 * - Not allowed: `z.record`/`z.map` (open-ended keys), `z.any`/`z.unknown`, recursive schemas.
 *   `toStrictJsonSchema` rejects them with a `bad_request` LlmError so a stage author finds out
 *   on the first test run.
 */

export type JsonSchema = Record<string, unknown>;

/** The JSON Schema of `schema` in the strict-mode subset (see the module comment). */
export function toStrictJsonSchema(schema: ZodType): JsonSchema {
  let raw: JsonSchema;
  try {
    raw = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' }) as JsonSchema;
  } catch (error) {
    throw unsupported(`the schema cannot be expressed as JSON Schema (${(error as Error).message})`);
  }
  const { $schema: _ignored, ...rest } = raw;
  return strictify(rest, '$') as JsonSchema;
}

const SAFE_INT = 9007199254740991;

function strictify(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((n, i) => strictify(n, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'default' || key === '$schema') continue;
    // zod marks every integer with the safe-integer range; strict servers reject the noise.
    if ((key === 'minimum' && value === -SAFE_INT) || (key === 'maximum' && value === SAFE_INT)) continue;
    if (key === 'oneOf') out.anyOf = strictify(value, `${path}.anyOf`);
    else if (key === 'properties' || key === '$defs' || key === 'definitions') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, strictify(v, `${path}.${k}`)]),
      );
    } else out[key] = strictify(value, `${path}.${key}`);
  }
  if (out.type === 'object' || out.properties) {
    if (out.additionalProperties !== undefined && out.additionalProperties !== false)
      throw unsupported(`${path} has open-ended keys (z.record); use an array of {key, value} objects`);
    if (!out.properties) throw unsupported(`${path} is an object without declared properties`);
    out.additionalProperties = false;
    out.required = Object.keys(out.properties as object);
  }
  if (Object.keys(out).length === 0) throw unsupported(`${path} accepts any value (z.any/z.unknown)`);
  return out;
}

function unsupported(detail: string): LlmError {
  return new LlmError(
    'bad_request',
    false,
    `This step's answer format is not supported by structured outputs: ${detail}. This is a bug in ff2.`,
  );
}

/** The system note used when the server cannot enforce the schema itself (json_object / prompt). */
export function schemaInstruction(jsonSchema: JsonSchema, name = 'answer'): string {
  return `Answer with exactly one JSON value, \`${name}\`, and nothing else (no prose, no code fences). It must match this JSON Schema:\n${JSON.stringify(jsonSchema)}`;
}

/** The user turn that shows the model why its answer was rejected. */
export function correctiveMessage(error: string): string {
  return `Your previous answer was rejected: ${error}\nReply again with only the corrected JSON.`;
}

/** One model attempt: the raw text and the tokens it cost. May throw LlmError. */
export type Attempt = (messages: ChatMessage[]) => Promise<{ text: string; usage: Usage }>;

export interface StructuredOutcome<T> {
  text: string;
  value: T;
  usage: Usage;
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  };
}

export const ZERO_USAGE: Usage = Object.freeze({ promptTokens: 0, completionTokens: 0 });

/** Re-throws an LlmError with tokens already spent by earlier attempts added to it. */
export function withSpent(error: unknown, spent: Usage): unknown {
  if (!(error instanceof LlmError) || (spent.promptTokens === 0 && spent.completionTokens === 0))
    return error;
  return new LlmError(error.kind, error.retryable, error.userMessage, {
    cause: error.cause,
    retryAfterMs: error.retryAfterMs,
    usage: addUsage(spent, error.usage ?? ZERO_USAGE),
  });
}

/**
 * Runs `attempt`, parses and validates its answer; on an invalid answer makes exactly one
 * corrective attempt that shows the model the validation error; then fails.
 * @throws LlmError `invalid_output` (retryable: a later call may succeed) with the tokens spent.
 */
export async function completeStructured<T>(
  schema: ZodType<T>,
  messages: ChatMessage[],
  attempt: Attempt,
): Promise<StructuredOutcome<T>> {
  let spent: Usage = ZERO_USAGE;
  let conversation = messages;
  let lastError = '';
  for (let round = 0; round < 2; round++) {
    let answer: { text: string; usage: Usage };
    try {
      answer = await attempt(conversation);
    } catch (error) {
      throw withSpent(error, spent);
    }
    spent = addUsage(spent, answer.usage);
    const parsed = parseAnswer(schema, answer.text);
    if (parsed.ok) return { text: answer.text, value: parsed.value, usage: spent };
    lastError = parsed.error;
    conversation = [
      ...messages,
      { role: 'assistant', content: answer.text },
      { role: 'user', content: correctiveMessage(parsed.error) },
    ];
  }
  throw new LlmError(
    'invalid_output',
    true,
    'The model twice gave an answer in the wrong format; try again, or use a stronger model (FF2_MODEL).',
    { usage: spent, cause: new Error(lastError) },
  );
}
