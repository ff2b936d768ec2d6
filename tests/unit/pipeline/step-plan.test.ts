/**
 * planStep (pipeline/step-plan.ts), case by case: the pure plan of one step's commit —
 * transition, status finalisers, buttons, script versions and diffs, runs, events, outbox rows.
 */
import { describe, expect, it } from 'vitest';
import type { StageResult } from '../../../src/pipeline/machine.js';
import { planStep, statusKey } from '../../../src/pipeline/step-plan.js';
import { initialState, type SessionState, type StageOutcome } from '../../../src/pipeline/types.js';

const row = { id: 's1', stage: 'generate', threadKey: 'slack:C1:1700000000.000100' };
const none = { count: 0, lastCode: '' };

function stateWith(patch: Partial<SessionState> = {}): SessionState {
  return { ...initialState(), step: 4, stageStep: 2, ...patch };
}

function plan(
  stage: string,
  outcome: Omit<StageOutcome, 'state'> & { state?: SessionState },
  b = stateWith(),
  facts: Partial<Parameters<typeof planStep>[3]> = {},
) {
  return planStep({ ...row, stage }, b, { state: b, ...outcome }, { actor: 'bot', versions: none, ...facts });
}

function stateOf(step: ReturnType<typeof planStep>): SessionState {
  return step.patch?.state as SessionState;
}

function texts(step: ReturnType<typeof planStep>): string[] {
  return (step.outbox ?? []).map((o) => (o.payload as { text: string }).text);
}

describe('planStep: the transition', () => {
  it('moves along the table, counts the step and names the new stage by its first step', () => {
    const step = plan('generate', { result: 'done' });
    expect(step.patch).toMatchObject({
      stage: 'review',
      status: 'working',
      state: { step: 5, stageStep: 5 },
    });
  });

  it('keeps the stage (and its status message) on `stay` or a loop edge', () => {
    const stay = plan('generate', { result: 'stay' });
    expect(stay.patch).toMatchObject({ stage: 'generate', state: { step: 5, stageStep: 2 } });
    expect(stay.outbox).toEqual([]);
    const more = plan('generate', { result: 'more' });
    expect(more.patch?.stage).toBe('generate');
    expect(more.outbox).toEqual([]);
  });

  it('maps the stored status of the next stage', () => {
    expect(plan('interview', { result: 'questions' }).patch?.status).toBe('waiting');
    expect(plan('ship', { result: 'ok' }).patch?.status).toBe('done');
    expect(plan('approve_run', { result: 'cancel' }).patch?.status).toBe('cancelled');
  });

  it('remembers where a paused working stage resumes', () => {
    const step = plan('qa', { result: 'pause_budget' });
    expect(step.patch?.stage).toBe('budget_paused');
    expect(stateOf(step).paused).toEqual({ stage: 'qa', reason: '' });
  });

  it('throws on a result the table does not allow (a bug in a stage)', () => {
    expect(() => plan('generate', { result: 'approved' })).toThrow(/no transition from generate on approved/);
  });
});

describe('planStep: status messages', () => {
  it.each<[StageResult, string]>([
    ['done', '✓ done'],
    ['cancel', '✗ cancelled'],
    ['pause_invalid', '⏸ paused'],
  ])('finalises the left stage status message on %s', (result, end) => {
    const step = plan('generate', { result });
    const key = statusKey('generate', stateWith());
    expect(step.outbox?.[0]).toEqual({
      threadKey: row.threadKey,
      key,
      payload: { text: `Writing the code: ${end}`, sessionId: 's1', replacesKey: key, replaceOnly: true },
    });
  });

  it('posts no finaliser when a waiting stage is left (it had no status message)', () => {
    expect(plan('approve_run', { result: 'run' }).outbox).toEqual([]);
  });
});

describe('planStep: script versions', () => {
  it('stores the first version without a diff or a diff message', () => {
    const b = stateWith({ code: 'print(1)\n' });
    const step = plan('review', { result: 'ok', scriptReason: 'generated' }, b);
    expect(step.scriptVersion).toEqual({ reason: 'generated', code: 'print(1)\n', diff: '' });
    expect(stateOf(step).versions).toBe(1);
    expect(texts(step)).toEqual(['Reviewing the script: ✓ done']);
  });

  it('posts a repair or change version as a diff message with the diff attached', () => {
    const b = stateWith({ code: 'print(2)\n' });
    const step = plan('repair', { result: 'ok', scriptReason: 'repair 1' }, b, {
      versions: { count: 1, lastCode: 'print(1)\n' },
    });
    expect(step.scriptVersion?.diff).toContain('-print(1)');
    expect(step.scriptVersion?.diff).toContain('+++ v2/script.py');
    expect(texts(step)).toContain('Version 2 (repair 1): +1 −1 lines.');
    const diffRow = step.outbox?.find((o) => (o.payload as { files?: unknown[] }).files);
    expect((diffRow?.payload as { files?: { name: string }[] } | undefined)?.files?.[0]?.name).toBe(
      'v2.diff',
    );
  });

  it('keeps review and QA versions quiet (stored, not posted)', () => {
    const b = stateWith({ code: 'print(2)\n' });
    const step = plan('review', { result: 'ok', scriptReason: 'review' }, b, {
      versions: { count: 1, lastCode: 'print(1)\n' },
    });
    expect(step.scriptVersion?.diff).not.toBe('');
    expect(texts(step).some((t) => t.startsWith('Version'))).toBe(false);
  });

  it('posts a hand edit at a gate as a diff message', () => {
    const b = stateWith({ code: 'print(2)\n' });
    const step = plan('approve_run', { result: 'user_edit', scriptReason: 'edited by Ann' }, b, {
      versions: { count: 3, lastCode: 'print(1)\n' },
    });
    expect(texts(step)).toContain('Version 4 (edited by Ann): +1 −1 lines.');
  });
});

describe('planStep: runs, events, buttons and where messages go', () => {
  const run = { status: 'ok', exitCode: 0, durationMs: 5, result: {} };

  it('records a run against the newest version (at least 1)', () => {
    expect(plan('run', { result: 'passed', run }).run).toMatchObject({ version: 1, status: 'ok' });
    const b = stateWith({ code: 'x = 1\n' });
    const step = plan('run', { result: 'passed', run, scriptReason: 'r' }, b, {
      versions: { count: 2, lastCode: 'x = 0\n' },
    });
    expect(step.run?.version).toBe(3);
  });

  it("stamps the stage's events with the actor and ends with stage_done", () => {
    const step = plan(
      'approve_run',
      { result: 'run', events: [{ type: 'input_action', data: 1 }] },
      stateWith(),
      {
        actor: 'slack:U1',
      },
    );
    expect(step.events).toEqual([
      { type: 'input_action', data: 1, actor: 'slack:U1' },
      { type: 'stage_done', actor: 'slack:U1', data: { from: 'approve_run', to: 'run', result: 'run' } },
    ]);
  });

  it("closes the answered buttons and names the new ones by this step's number", () => {
    const approve = { action: 'run', label: 'Run', style: 'primary' as const };
    const b = stateWith({ openButtons: [{ key: 'buttons:3:0', text: 'Ready', buttons: [[approve]] }] });
    const step = plan(
      'approve_run',
      { result: 'run', messages: [{ text: 'Next?', buttons: [[{ action: 'ship', label: 'Ship' }]] }] },
      b,
      { actor: 'slack:U1', answer: { input: { kind: 'action', action: 'run' }, by: 'Ann' } },
    );
    expect(step.outbox?.[0]).toMatchObject({
      key: 'buttons:3:0',
      payload: { text: 'Ready\n\n✔ Run — chosen by Ann', replacesKey: 'buttons:3:0', replaceOnly: true },
    });
    expect(step.outbox?.[1]).toMatchObject({ key: 'buttons:5:0', payload: { text: 'Next?' } });
    expect(stateOf(step).openButtons.map((o) => o.key)).toEqual(['buttons:5:0']);
  });

  it("sends channel messages to the channel's key and carries the inbound event", () => {
    const inbound = { id: 'Ev1', platform: 'slack' };
    const step = plan('ship', { result: 'ok', messages: [{ text: 'card', toChannel: true }] }, stateWith(), {
      inbound,
    });
    expect(step.inbound).toEqual(inbound);
    expect(step.outbox?.find((o) => (o.payload as { text: string }).text === 'card')?.threadKey).toBe(
      'slack:C1:',
    );
  });
});
