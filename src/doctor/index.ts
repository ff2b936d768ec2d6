import { databaseCheck } from './database.js';
import { discordCheck } from './discord.js';
import { llmCheck } from './llm.js';
import { nodeCheck } from './node.js';
import { packagesCheck } from './packages.js';
import { pythonCheck } from './python.js';
import { cgroupCheck, guiToolsCheck, sandboxCheck, seccompCheck, slotsCheck } from './sandbox.js';
import { slackCheck } from './slack.js';
import type { DoctorCheck } from './types.js';

/** Every check `ff2 doctor` runs, in order. Later features add theirs here. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  nodeCheck,
  databaseCheck,
  pythonCheck,
  sandboxCheck,
  seccompCheck,
  cgroupCheck,
  slotsCheck,
  packagesCheck,
  guiToolsCheck,
  llmCheck,
  discordCheck,
  slackCheck,
];
