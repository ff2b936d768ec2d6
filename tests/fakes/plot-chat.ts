import { type OpenAiServer, startOpenAiServer } from './openai-server.js';
import { respondFromScript, type ScriptResponder } from './scripted-llm.js';

/** The OpenAI stand-in serving a scripted responder (for `ff2 chat` child processes). */
export function openAiStandInFor(responder: ScriptResponder): Promise<OpenAiServer> {
  return startOpenAiServer({ respond: respondFromScript(responder) });
}
