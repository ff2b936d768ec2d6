import type { ZodType } from 'zod';

/**
 * Parsing and validating model JSON, at the owning boundary (STYLE rule 15): stages only ever
 * see values that passed their zod schema.
 */

export type ParsedAnswer<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses a model's answer as JSON. Tolerates what models commonly wrap around it (a ```json fence,
 * a sentence before or after the object) but never repairs the JSON itself.
 */
export function parseJsonText(text: string): ParsedAnswer<unknown> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'the answer was empty; expected one JSON value' };
  const candidates = [trimmed, unfence(trimmed), outermost(trimmed)].filter(
    (c): c is string => c !== undefined,
  );
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch (error) {
      firstError ||= (error as Error).message;
    }
  }
  return { ok: false, error: `the answer is not valid JSON (${firstError})` };
}

/** Validates a parsed value; the error lists each problem as `path: message`, one per line. */
export function validateAnswer<T>(schema: ZodType<T>, value: unknown): ParsedAnswer<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const lines = result.error.issues
    .slice(0, 10)
    .map((issue) => `- ${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  return { ok: false, error: `the JSON does not match the schema:\n${lines.join('\n')}` };
}

/** Parse then validate. */
export function parseAnswer<T>(schema: ZodType<T>, text: string): ParsedAnswer<T> {
  const parsed = parseJsonText(text);
  return parsed.ok ? validateAnswer(schema, parsed.value) : parsed;
}

function unfence(text: string): string | undefined {
  const match = /```(?:json)?\s*\n([\s\S]*?)\n?```/.exec(text);
  return match?.[1];
}

function outermost(text: string): string | undefined {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  const close = text[start] === '{' ? '}' : ']';
  const end = text.lastIndexOf(close);
  return end > start ? text.slice(start, end + 1) : undefined;
}
