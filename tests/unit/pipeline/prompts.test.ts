import { describe, expect, it } from 'vitest';
import { toStrictJsonSchema } from '../../../src/llm/structured.js';
import { buildChangeMessages, changeAnswerSchema } from '../../../src/pipeline/prompts/change.js';
import { buildFixMessages, pickAndFixSchema } from '../../../src/pipeline/prompts/fix.js';
import { buildGenerateMessages, codeAnswerSchema } from '../../../src/pipeline/prompts/generate.js';
import { buildInterviewMessages, interviewAnswerSchema } from '../../../src/pipeline/prompts/interview.js';
import {
  buildOutlineMessages,
  buildReviseOutlineMessages,
  outlineAnswerSchema,
} from '../../../src/pipeline/prompts/outline.js';
import { buildReviewMessages, reviewAnswerSchema } from '../../../src/pipeline/prompts/review.js';
import { REFERENCE_GOAL, REFERENCE_OUTLINE, REFERENCE_SECTIONS } from '../../fakes/reference-goal.js';

const units = Object.entries(REFERENCE_SECTIONS).map(([name, code]) => ({ name, code }));
const imports = { name: 'imports', code: REFERENCE_SECTIONS.imports! };

describe('prompts', () => {
  it('interview', () => {
    expect(buildInterviewMessages(REFERENCE_GOAL)).toMatchSnapshot();
  });

  it('outline, with clarifications and their defaults', () => {
    const questions = [{ question: 'Delimiter?', choices: ['comma', 'semicolon'], default: 'comma' }];
    expect(buildOutlineMessages(REFERENCE_GOAL, questions, {})).toMatchSnapshot();
  });

  it('revise outline', () => {
    expect(buildReviseOutlineMessages(REFERENCE_GOAL, REFERENCE_OUTLINE, 'add --quiet')).toMatchSnapshot();
  });

  it('generate sends only the code a section depends on', () => {
    const messages = buildGenerateMessages({ kind: 'function', name: 'find_duplicates' }, REFERENCE_OUTLINE, [
      imports,
    ]);
    expect(messages).toMatchSnapshot();
    expect(messages[1]?.content).not.toContain('csv.reader(');
  });

  it('review sees the whole script once', () => {
    expect(buildReviewMessages(REFERENCE_OUTLINE, units)).toMatchSnapshot();
  });

  it('repair shows the model the code it rewrites and the run output', () => {
    const messages = buildFixMessages({
      task: 'repair',
      name: 'find_duplicates',
      current: REFERENCE_SECTIONS.find_duplicates!,
      problems: ["AttributeError: 'dict' object has no attribute 'value' in find_duplicates (line 40)"],
      outline: REFERENCE_OUTLINE,
      context: [imports],
      runDetail: 'Traceback (most recent call last):\nAttributeError: ...',
    });
    expect(messages).toMatchSnapshot();
    expect(messages[1]?.content).toContain('Current code of "find_duplicates"');
  });

  it('change', () => {
    expect(buildChangeMessages(REFERENCE_OUTLINE, units, 'add a --quiet flag')).toMatchSnapshot();
  });

  it('keeps every first-run prompt small (the reference goal fits 40k prompt tokens in ≤ 12 calls)', () => {
    const sizes = [
      buildInterviewMessages(REFERENCE_GOAL),
      buildOutlineMessages(REFERENCE_GOAL, [], {}),
      buildGenerateMessages({ kind: 'main', name: 'main' }, REFERENCE_OUTLINE, []),
      buildReviewMessages(REFERENCE_OUTLINE, units),
    ].map((m) => m.map((x) => x.content).join('').length / 4);
    for (const tokens of sizes) expect(tokens).toBeLessThan(4000);
  });

  it('every answer schema is expressible as a strict structured-output schema', () => {
    for (const schema of [
      interviewAnswerSchema,
      outlineAnswerSchema,
      codeAnswerSchema,
      reviewAnswerSchema,
      changeAnswerSchema,
      pickAndFixSchema,
    ]) {
      expect(toStrictJsonSchema(schema)).toMatchObject({ type: 'object', additionalProperties: false });
    }
  });
});
