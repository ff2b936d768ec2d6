/**
 * `ff2 eval --model <name>` against an OpenAI-compatible server (the loopback stand-in, spoken to
 * by the real `openai` package): the goals pass, every request names the model, cost is priced
 * from FF2_PRICES; `--budget-usd` stops starting attempts once spent (exit 1, resumable) and
 * `--resume <run-id>` finishes the rest of the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Goal, loadGoals } from '../../../src/eval/goal.js';
import { oracleAnswer } from '../../../src/eval/oracle.js';
import { planReference, type ReferencePlan } from '../../../src/eval/reference-plan.js';
import type { AttemptResult } from '../../../src/eval/types.js';
import { createPythonToolchain } from '../../../src/python/toolchain.js';
import { jsonAnswer, type OpenAiServer, startOpenAiServer } from '../../fakes/openai-server.js';
import { evalSandbox, runEvalCli, subsetSuite } from './helpers.js';

const UID_BASE = 65801;
const sandbox = evalSandbox(UID_BASE);
const dir = mkdtempSync(join(tmpdir(), 'ff2-eval-openai-'));
const suite = subsetSuite(['word-count', 'csv-filter', 'ambiguous-temperature']);
const python = createPythonToolchain({ python: '/usr/bin/python3' });
let server: OpenAiServer;
let env: Record<string, string>;

beforeAll(async () => {
  const goals = loadGoals(suite, dir);
  const plans = new Map<string, ReferencePlan>();
  for (const g of goals) plans.set(g.id, await planReference(g, python));
  // A "model" that knows the references: finds the goal by its text in the prompt.
  server = await startOpenAiServer({
    model: 'fake-model',
    respond: (request) => {
      const text = request.messages.map((m) => m.content).join('\n');
      const goal = goals.find((g) => text.includes(g.goal)) as Goal;
      return jsonAnswer(
        oracleAnswer(goal, plans.get(goal.id)!, {
          stage: '',
          messages: request.messages as never,
          schemaName: request.schemaName,
        }),
        { request },
      );
    },
  });
  env = {
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'test-key',
    FF2_PRICES: JSON.stringify({ 'fake-model': { input: 100, output: 100 } }),
  };
});
afterAll(async () => {
  await server.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(dirname(suite), { recursive: true, force: true });
});

type Report = { run: { id: string; status: string; model: string }; results: AttemptResult[] };

describe('ff2 eval against an OpenAI-compatible server', { timeout: 600_000 }, () => {
  it('runs every goal through the server, each request naming the model, each attempt priced', async () => {
    const first = await runEvalCli(
      ['--goals', suite, '--model', 'fake-model', '--json', '--parallel', '2'],
      dir,
      { sandbox },
      env,
    );
    expect(first.code).toBe(0);
    const report = JSON.parse(first.out) as Report;
    expect(report.run.model).toBe(`fake-model @ ${server.url}`);
    expect(report.results.map((r) => [r.goalId, r.outcome])).toEqual([
      ['ambiguous-temperature', 'passed'],
      ['csv-filter', 'passed'],
      ['word-count', 'passed'],
    ]);
    for (const r of report.results) expect(r.costUsd).toBeGreaterThan(0);
    expect(server.calls.length).toBe(report.results.reduce((s, r) => s + r.calls, 0));
    expect(new Set(server.calls.map((c) => c.body.model))).toEqual(new Set(['fake-model']));
  });

  it('stops at the budget (resumable), and --resume finishes the same run', async () => {
    const stopped = await runEvalCli(
      [
        '--goals',
        suite,
        '--model',
        'fake-model',
        '--json',
        '--budget-usd',
        '0.0001',
        '--parallel',
        '1',
        '--out',
        join(dir, 'budget'),
      ],
      dir,
      { sandbox },
      env,
    );
    expect(stopped.code).toBe(1);
    const partial = JSON.parse(stopped.out) as Report;
    expect(partial.run.status).toBe('budget');
    expect(partial.results).toHaveLength(1);

    const again = await runEvalCli(['--resume', partial.run.id], dir, { sandbox }, env);
    expect(again.code).toBe(1);
    expect(again.out).toContain(`ff2 eval --resume ${partial.run.id} --budget-usd <dollars>`);

    const text = await runEvalCli(['--resume', partial.run.id, '--budget-usd', '100'], dir, { sandbox }, env);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`ff2 eval ${partial.run.id} (fake-model @ ${server.url}): done`);
    expect(text.out).toContain('Pass rate: 100% (3/3; 95% CI');
    expect(text.out).toContain(join(dir, 'budget', 'report.html'));

    const listed = await runEvalCli(['list'], dir, { sandbox }, env);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`^${partial.run.id} .* done +100% \\(3/3;`, 'm'));
  });

  it('says what is wrong with bad arguments and unknown runs', async () => {
    expect((await runEvalCli(['--resume', 'nope'], dir, { sandbox }, env)).err).toMatch(/no eval run "nope"/);
    await expect(runEvalCli(['--attempts', '0'], dir, { sandbox }, env)).rejects.toThrow(
      /--attempts must be/,
    );
    await expect(runEvalCli(['compare', 'a'], dir, { sandbox }, env)).rejects.toThrow(/two run ids/);
    await expect(runEvalCli(['--model', 'gpt-4o-mini'], dir, { sandbox }, {})).rejects.toThrow(
      /set OPENAI_BASE_URL/,
    );
    const missing = await runEvalCli(['--goals', join(dir, 'nowhere')], dir, { sandbox }, env);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such goal folder/);
  });
});
