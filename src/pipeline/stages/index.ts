import type { Stage } from '../context.js';
import type { WorkingStage } from '../types.js';
import { changeStage } from './change.js';
import { reviseChecksStage } from './checks.js';
import { generateStage } from './generate.js';
import { interviewStage } from './interview.js';
import { outlineStage, reviseOutlineStage } from './outline.js';
import { importScriptStage } from './own-script.js';
import { qaStage } from './qa.js';
import { repairStage } from './repair.js';
import { reviewStage } from './review.js';
import { runStage } from './run.js';
import { shipStage } from './ship.js';

/** Every working stage by name. */
export const STAGES: Record<WorkingStage, Stage> = {
  import_script: importScriptStage,
  interview: interviewStage,
  outline: outlineStage,
  revise_outline: reviseOutlineStage,
  generate: generateStage,
  review: reviewStage,
  qa: qaStage,
  run: runStage,
  repair: repairStage,
  change: changeStage,
  revise_checks: reviseChecksStage,
  ship: shipStage,
};
