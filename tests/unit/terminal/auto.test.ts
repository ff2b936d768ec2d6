import { describe, expect, it } from 'vitest';
import { decideAuto } from '../../../src/bots/terminal/auto.js';
import { numberButtons } from '../../../src/bots/terminal/render.js';

const b = (...pairs: [string, string][]) =>
  numberButtons([pairs.map(([action, label]) => ({ action, label }))]);

describe('decideAuto', () => {
  it('approves the outline and the run gates', () => {
    expect(
      decideAuto('approve_outline', undefined, b(['edit', 'Edit'], ['approve_outline', 'Approve'])),
    ).toMatchObject({
      kind: 'click',
      button: { action: 'approve_outline' },
    });
    expect(decideAuto('approve_run', undefined, b(['cancel', 'Cancel'], ['run', 'Run it']))).toMatchObject({
      button: { action: 'run' },
    });
  });

  it('never picks a missing-package choice for the person', () => {
    const choices = b(
      ['pkg_stdlib', 'Use the standard library instead'],
      ['pkg_alt', 'Use pandas instead of polars'],
      ['edit', 'Edit'],
    );
    expect(decideAuto('approve_outline', undefined, choices)).toMatchObject({
      kind: 'stop',
      reason: expect.stringContaining('not installed'),
    });
  });

  it('falls back to the label when the action name differs', () => {
    expect(decideAuto('approve_run', undefined, b(['go', 'Run it'], ['cancel', 'Cancel']))).toMatchObject({
      button: { action: 'go' },
    });
  });

  it('takes the defaults for interview questions, by button or in words', () => {
    expect(
      decideAuto('answer_questions', undefined, b(['a', 'Tabs'], ['use_defaults', 'Use defaults'])),
    ).toMatchObject({
      button: { action: 'use_defaults' },
    });
    expect(decideAuto('answer_questions', undefined, b(['a', 'Tabs'], ['b', 'Spaces']))).toEqual({
      kind: 'say',
      text: 'use the defaults',
    });
  });

  it('ships only after a run that passed', () => {
    const buttons = b(['ship', 'Ship it'], ['run_again', 'Run again']);
    expect(decideAuto('give_feedback', true, buttons)).toMatchObject({
      kind: 'click',
      button: { action: 'ship' },
    });
    expect(decideAuto('give_feedback', false, buttons).kind).toBe('stop');
    expect(decideAuto('give_feedback', undefined, buttons).kind).toBe('stop');
  });

  it('stops where only a person can decide', () => {
    const any = b(['repair', 'Try again'], ['ship', 'Ship it']);
    expect(decideAuto('after_repairs', false, any)).toMatchObject({ kind: 'stop', reason: /repair rounds/ });
    expect(decideAuto('budget_paused', true, any)).toMatchObject({ kind: 'stop', reason: /budget/ });
    expect(decideAuto('retry_paused', true, any)).toMatchObject({ kind: 'stop', reason: /invalid answers/ });
    expect(decideAuto('confirm_feedback', true, any).kind).toBe('stop');
    expect(decideAuto('approve_outline', undefined, b(['edit', 'Edit']))).toMatchObject({ kind: 'stop' });
  });
});
