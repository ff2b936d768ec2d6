/** A benchmark returns named figures (numbers or short strings). */
export type Bench = () => Promise<Record<string, number | string>>;

/** Every benchmark by name; each lives in its own file and is added here. */
export const BENCHES: Record<string, Bench> = {
  store: async () => (await import('./store.js')).benchStore(),
  sandbox: async () => (await import('./sandbox.js')).benchSandbox(),
  pipeline: async () => (await import('./pipeline.js')).benchPipeline(),
  discord: async () => (await import('./discord.js')).benchDiscord(),
  llm: async () => (await import('./llm.js')).benchLlm(),
  slack: async () => (await import('./slack.js')).benchSlack(),
  scale: async () => (await import('./scale.js')).benchScale(),
};
