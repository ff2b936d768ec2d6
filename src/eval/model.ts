/**
 * Which model an eval run talks to: `oracle` (answers from each goal's reference; no server), or
 * the configured provider (FF2_LLM, OPENAI_BASE_URL, …) with FF2_MODEL replaced by `--model`.
 */
import type { Config } from '../config.js';
import type { LlmProvider } from '../llm/types.js';
import type { PythonToolchain } from '../python/types.js';
import type { Goal } from './goal.js';
import { OracleModel } from './oracle.js';
import { planReference } from './reference-plan.js';

export const ORACLE = 'oracle';

/** A per-goal oracle model. */
export function oracleFor(python: PythonToolchain): (goal: Goal) => Promise<LlmProvider> {
  return async (goal) => new OracleModel(goal, await planReference(goal, python));
}

/** The model's name as the report shows it (`openai gpt-4o-mini @ http://…`, `llama <gguf>`). */
export function describeModel(config: Readonly<Config>): string {
  if (config.llm.provider === 'openai') {
    const { model, baseUrl } = config.llm.openai;
    return baseUrl ? `${model} @ ${baseUrl}` : model;
  }
  return `llama ${config.llm.llama.gguf ?? 'default GGUF'}`;
}
