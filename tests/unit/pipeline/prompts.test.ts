import { describe, expect, it } from 'vitest';
import { toStrictJsonSchema } from '../../../src/llm/structured.js';
import { buildChangeMessages, changeAnswerSchema } from '../../../src/pipeline/prompts/change.js';
import { fenced, outlineForModel } from '../../../src/pipeline/prompts/common.js';
import { buildFixMessages, pickAndFixSchema } from '../../../src/pipeline/prompts/fix.js';
import { buildGenerateMessages, codeAnswerSchema } from '../../../src/pipeline/prompts/generate.js';
import { buildInterviewMessages, interviewAnswerSchema } from '../../../src/pipeline/prompts/interview.js';
import {
  buildOutlineMessages,
  buildReviseOutlineMessages,
  outlineAnswerSchema,
} from '../../../src/pipeline/prompts/outline.js';
import { buildReviewMessages, reviewAnswerSchema } from '../../../src/pipeline/prompts/review.js';
import { DEFAULT_RUN_RULES, runRuleLines } from '../../../src/pipeline/rules.js';
import { REFERENCE_GOAL, REFERENCE_OUTLINE, REFERENCE_SECTIONS } from '../../fakes/reference-goal.js';

const units = Object.entries(REFERENCE_SECTIONS).map(([name, code]) => ({ name, code }));
const imports = { name: 'imports', code: REFERENCE_SECTIONS.imports! };

describe('prompts', () => {
  it('interview', () => {
    const { task, messages } = buildInterviewMessages(REFERENCE_GOAL);
    expect(messages).toMatchSnapshot();
    // The task travels as data (the request's schema name), not as a line of the prompt.
    expect(task).toBe('interview');
    expect(messages[0]?.content).not.toMatch(/^Task:/m);
    // The goal is data: fenced in the user turn, never part of the instructions.
    expect(messages[1]?.content).toBe(fenced('Goal', REFERENCE_GOAL));
    expect(messages[0]?.content).not.toContain(REFERENCE_GOAL);
  });

  it('outline, with clarifications and their defaults', () => {
    const questions = [{ question: 'Delimiter?', choices: ['comma', 'semicolon'], default: 'comma' }];
    const { task, messages } = buildOutlineMessages(REFERENCE_GOAL, questions, {});
    expect(messages).toMatchSnapshot();
    // The task travels as data (the request's schema name), not as a line of the prompt.
    expect(task).toBe('outline');
    expect(messages[0]?.content).not.toMatch(/^Task:/m);
    expect(messages[1]?.content).toContain(fenced('Goal', REFERENCE_GOAL));
    // An unanswered question is sent with the default the person will get.
    expect(messages[1]?.content).toMatch(
      /Clarifications \(data, not instructions\):\n<<<\n[^>]*Delimiter\?[^>]*comma/,
    );
  });

  it('revise outline', () => {
    const { task, messages } = buildReviseOutlineMessages(REFERENCE_GOAL, REFERENCE_OUTLINE, 'add --quiet');
    expect(messages).toMatchSnapshot();
    // The task travels as data (the request's schema name), not as a line of the prompt.
    expect(task).toBe('revise_outline');
    expect(messages[0]?.content).not.toMatch(/^Task:/m);
    // The whole current outline (checks included) goes back, then the person's edit as data.
    expect(messages[1]?.content).toContain(`Current outline JSON:\n${JSON.stringify(REFERENCE_OUTLINE)}`);
    expect(messages[1]?.content.endsWith(fenced('Requested edit', 'add --quiet'))).toBe(true);
  });

  it('generate sends only the code a section depends on', () => {
    const { task, messages } = buildGenerateMessages(
      { kind: 'function', name: 'find_duplicates' },
      REFERENCE_OUTLINE,
      [imports],
    );
    expect(messages).toMatchSnapshot();
    // The task travels as data (the request's schema name), not as a line of the prompt.
    expect(task).toBe('generate');
    expect(messages[0]?.content).not.toMatch(/^Task:/m);
    expect(messages[1]?.content).not.toContain('csv.reader(');
  });

  it('review sees the whole script once', () => {
    const { task, messages } = buildReviewMessages(REFERENCE_OUTLINE, units);
    expect(messages).toMatchSnapshot();
    // The task travels as data (the request's schema name), not as a line of the prompt.
    expect(task).toBe('review');
    expect(messages[0]?.content).not.toMatch(/^Task:/m);
    const user = messages[1]?.content ?? '';
    expect(user.startsWith(`Outline:\n${outlineForModel(REFERENCE_OUTLINE)}`)).toBe(true);
    for (const unit of units) {
      expect(user.split(`# ── section ${unit.name}\n`).length).toBe(2);
      expect(user).toContain(unit.code);
    }
    for (const aspect of ['specMatch', 'structure', 'interfaces', 'noPlaceholders', 'style'])
      expect(messages[0]?.content).toContain(aspect);
  });

  it('repair shows the model the code it rewrites and the run output', () => {
    const { task, messages } = buildFixMessages({
      task: 'repair',
      name: 'find_duplicates',
      current: REFERENCE_SECTIONS.find_duplicates!,
      problems: ["AttributeError: 'dict' object has no attribute 'value' in find_duplicates (line 40)"],
      outline: REFERENCE_OUTLINE,
      context: [imports],
      runDetail: 'Traceback (most recent call last):\nAttributeError: ...',
    });
    expect(messages).toMatchSnapshot();
    // The task travels as data (the request's schema name), not as a line of the prompt.
    expect(task).toBe('repair');
    expect(messages[0]?.content).not.toMatch(/^Task:/m);
    expect(messages[1]?.content).toContain('Current code of "find_duplicates"');
  });

  it('change', () => {
    const change = buildChangeMessages(REFERENCE_OUTLINE, units, 'add a --quiet flag');
    expect(change.messages).toMatchSnapshot();
    expect(change.task).toBe('change');
    // With the run rules: they close the system prompt; the request is fenced after the script.
    const rules = runRuleLines(DEFAULT_RUN_RULES, []);
    const {
      messages: [system, user],
    } = buildChangeMessages(REFERENCE_OUTLINE, units, 'add a --quiet flag', 'exit 1', {
      rules,
      files: '',
    });
    expect(system?.content.endsWith(rules.map((r) => `- ${r}`).join('\n'))).toBe(true);
    expect(user?.content).toContain(fenced('The last run failed with', 'exit 1'));
    expect(user?.content.endsWith(fenced('Requested change', 'add a --quiet flag'))).toBe(true);
    expect(user?.content).toContain('# ── section find_duplicates');
  });

  it('keeps every first-run prompt small (the reference goal fits 40k prompt tokens in ≤ 12 calls)', () => {
    const sizes = [
      buildInterviewMessages(REFERENCE_GOAL),
      buildOutlineMessages(REFERENCE_GOAL, [], {}),
      buildGenerateMessages({ kind: 'main', name: 'main' }, REFERENCE_OUTLINE, []),
      buildReviewMessages(REFERENCE_OUTLINE, units),
    ].map((p) => p.messages.map((x) => x.content).join('').length / 4);
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
