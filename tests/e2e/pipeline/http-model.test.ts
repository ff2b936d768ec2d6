import { afterEach, describe, expect, it } from 'vitest';
import { createLlmProvider } from '../../../src/llm/create.js';
import { silentLogger } from '../../../src/logger.js';
import { type OpenAiServer, startOpenAiServer } from '../../fakes/openai-server.js';
import { REFERENCE_GOAL } from '../../fakes/reference-goal.js';
import { referenceGoalScript, respondFromScript } from '../../fakes/scripted-llm.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
let server: OpenAiServer | undefined;
afterEach(async () => {
  await h?.close();
  await server?.close();
  h = undefined;
  server = undefined;
});

describe('the pipeline over the real OpenAI provider', () => {
  it('reaches a passing run with the scripted answers served by the OpenAI stand-in', async () => {
    server = await startOpenAiServer({ respond: respondFromScript(referenceGoalScript()) });
    const url = server.url;
    h = await startHarness(
      () => ({ raw: 'unused' }),
      { FF2_LLM: 'openai', OPENAI_BASE_URL: url, OPENAI_API_KEY: 'test' },
      (config, store) => createLlmProvider(config, silentLogger, { store }),
    );
    await h.chat.startSession(REFERENCE_GOAL);
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.click('Run');
    await h.app.idle();
    const session = h.session();
    expect(session.stage, h.chat.texts().slice(-2).join('\n')).toBe('give_feedback');
    expect(server.calls.length).toBe(11);
    // Every structured answer went out with a strict JSON schema named after its task.
    const names = server.calls.map((c) => c.body.response_format?.json_schema?.name);
    expect(new Set(names)).toEqual(new Set(['interview', 'outline', 'generate', 'review']));
    expect(h.store.usageTotals(session.id).calls).toBe(11);
  });
});
