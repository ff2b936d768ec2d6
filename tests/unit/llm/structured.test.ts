import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJsonText } from '../../../src/llm/json.js';
import { type Attempt, completeStructured, toStrictJsonSchema } from '../../../src/llm/structured.js';
import { type ChatMessage, LlmError } from '../../../src/llm/types.js';

function scripted(answers: (string | LlmError)[]): Attempt & { seen: ChatMessage[][] } {
  const seen: ChatMessage[][] = [];
  const attempt = async (messages: ChatMessage[]) => {
    seen.push(messages);
    const next = answers.shift();
    if (next === undefined) throw new Error('no more answers');
    if (next instanceof LlmError) throw next;
    return { text: next, usage: { promptTokens: 10, completionTokens: 3 } };
  };
  return Object.assign(attempt, { seen });
}

const Outline = z.object({ title: z.string().min(1), steps: z.array(z.string()) });
const ask: ChatMessage[] = [{ role: 'user', content: 'plan' }];

describe('toStrictJsonSchema', () => {
  it('makes every property required, closes objects, and drops noise', () => {
    const schema = toStrictJsonSchema(
      z.object({
        name: z.string(),
        count: z.int().optional(),
        flag: z.boolean().default(false),
        inner: z.object({ kind: z.enum(['a', 'b']) }),
        either: z.discriminatedUnion('t', [z.object({ t: z.literal('x') }), z.object({ t: z.literal('y') })]),
      }),
    );
    expect(schema.$schema).toBeUndefined();
    expect(schema.required).toEqual(['name', 'count', 'flag', 'inner', 'either']);
    expect(schema.additionalProperties).toBe(false);
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.count).toEqual({ type: 'integer' });
    expect(props.flag).toEqual({ type: 'boolean' });
    expect(props.inner).toMatchObject({ additionalProperties: false, required: ['kind'] });
    expect(props.either?.anyOf).toHaveLength(2);
    expect(props.either?.oneOf).toBeUndefined();
  });

  it('rejects shapes strict mode cannot express', () => {
    expect(() => toStrictJsonSchema(z.object({ m: z.record(z.string(), z.string()) }))).toThrow(LlmError);
    expect(() => toStrictJsonSchema(z.object({ a: z.unknown() }))).toThrow(/any value/);
  });
});

describe('parseJsonText', () => {
  it('accepts fenced JSON and JSON inside a sentence, but does not repair JSON', () => {
    expect(parseJsonText('```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonText('Here it is: {"a":[1,2]} hope it helps')).toEqual({
      ok: true,
      value: { a: [1, 2] },
    });
    expect(parseJsonText('{"a":1,}').ok).toBe(false);
    expect(parseJsonText('   ').ok).toBe(false);
  });
});

describe('completeStructured', () => {
  it('returns the validated value on the first good answer', async () => {
    const attempt = scripted(['{"title":"t","steps":["a"]}']);
    const out = await completeStructured(Outline, ask, attempt);
    expect(out.value).toEqual({ title: 't', steps: ['a'] });
    expect(attempt.seen).toHaveLength(1);
  });

  it('shows the model its validation error once, then accepts the corrected answer', async () => {
    const attempt = scripted(['{"title":"","steps":"a"}', '{"title":"t","steps":[]}']);
    const out = await completeStructured(Outline, ask, attempt);
    expect(out.value).toEqual({ title: 't', steps: [] });
    expect(out.usage).toEqual({ promptTokens: 20, completionTokens: 6 });
    const corrective = attempt.seen[1] ?? [];
    expect(corrective.slice(0, 1)).toEqual(ask);
    expect(corrective[1]).toEqual({ role: 'assistant', content: '{"title":"","steps":"a"}' });
    expect(corrective[2]?.content).toMatch(/- title: .*\n- steps: /);
  });

  it('fails with invalid_output and the usage of both attempts after two bad answers', async () => {
    const attempt = scripted(['nope', '{"title":3}']);
    const error = await completeStructured(Outline, ask, attempt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).kind).toBe('invalid_output');
    expect((error as LlmError).usage).toEqual({ promptTokens: 20, completionTokens: 6 });
    expect(attempt.seen).toHaveLength(2);
  });

  it('adds the tokens of the first attempt to a failure in the corrective one', async () => {
    const attempt = scripted([
      'nope',
      new LlmError('timeout', true, 't', { usage: { promptTokens: 1, completionTokens: 0 } }),
    ]);
    const error = (await completeStructured(Outline, ask, attempt).catch((e: unknown) => e)) as LlmError;
    expect(error.kind).toBe('timeout');
    expect(error.usage).toEqual({ promptTokens: 11, completionTokens: 3 });
  });
});
