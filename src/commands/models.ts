import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { DEFAULT_MODEL_URI, isModelUri, listModels, resolveModel } from '../llm/llama-models.js';
import { isLlmError } from '../llm/types.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

export const modelsCommand: Command = {
  name: 'models',
  summary: 'download a local GGUF model, or list the ones on disk',
  usage: `Usage: ff2 models pull [uri]
       ff2 models list [--json]

pull   Downloads a model into $FF2_DATA_DIR/models with a progress bar on stderr:
       the given hf:/https: URI, else FF2_GGUF when it is a URI, else the default
       ${DEFAULT_MODEL_URI}
       (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, about 1.1 GB). Prints the file path.
list   Shows the .gguf files in $FF2_DATA_DIR/models with their sizes.`,
  async run(args, io) {
    const [sub, ...rest] = args;
    const config = loadConfig(io.env, io.cwd, { platforms: false });
    const modelsDir = config.llm.llama.modelsDir;
    if (sub === 'pull') {
      if (rest.length > 1) throw new UsageError('pull takes at most one model URI');
      const uri =
        rest[0] ??
        (config.llm.llama.gguf && isModelUri(config.llm.llama.gguf) ? config.llm.llama.gguf : undefined);
      if (uri !== undefined && !isModelUri(uri))
        throw new UsageError(`"${uri}" is not a model URI (hf:… or https://…)`);
      io.err(`pulling ${uri ?? DEFAULT_MODEL_URI} into ${modelsDir}\n`);
      try {
        const path = await resolveModel({
          source: uri,
          modelsDir,
          download: true,
          progress: (text) => io.err(text),
        });
        io.out(`${path}\n`);
        return 0;
      } catch (error) {
        if (!isLlmError(error)) throw error;
        io.err(`ff2 models: ${error.userMessage}\n`);
        return 3;
      }
    }
    if (sub === 'list') {
      const { values } = parseCommandArgs({
        args: rest,
        options: { json: { type: 'boolean' } },
        strict: true,
      });
      const models = listModels(modelsDir);
      if (values.json) {
        io.out(`${JSON.stringify({ dir: modelsDir, models })}\n`);
        return 0;
      }
      if (models.length === 0) {
        io.out(`no models in ${modelsDir}; run "ff2 models pull" or set FF2_GGUF\n`);
        return 0;
      }
      for (const m of models) io.out(`${formatSize(m.bytes).padStart(9)}  ${m.name}\n`);
      return 0;
    }
    throw new UsageError(
      sub === undefined ? 'missing subcommand: pull or list' : `unknown subcommand "${sub}"`,
    );
  },
};

function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}
