import { analyzeCommand } from './analyze.js';
import { chatCommand } from './chat.js';
import { discordCommand } from './discord.js';
import { doctorCommand } from './doctor.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { migrateCommand } from './migrate.js';
import { modelsCommand } from './models.js';
import { pruneCommand } from './prune.js';
import { pythonCommand } from './python.js';
import { runnerCommand } from './runner.js';
import { sandboxCommand } from './sandbox.js';
import { serveCommand } from './serve.js';
import { sessionsCommand } from './sessions.js';
import { showCommand } from './show.js';
import { slackCommand } from './slack.js';
import { templatesCommand } from './templates.js';
import type { Command } from './types.js';

/** Every `ff2` subcommand, in the order `--help` lists them. Later features add theirs here. */
export const COMMANDS: readonly Command[] = [
  chatCommand,
  templatesCommand,
  doctorCommand,
  sandboxCommand,
  pythonCommand,
  analyzeCommand,
  sessionsCommand,
  showCommand,
  exportCommand,
  discordCommand,
  slackCommand,
  modelsCommand,
  serveCommand,
  evalCommand,
  pruneCommand,
  migrateCommand,
  runnerCommand,
];
