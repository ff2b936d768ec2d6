/** Small pieces the router shares with the ops layer: its metrics port, reference ids, platform kinds. */
import { randomBytes } from 'node:crypto';
import type { Platform } from './types.js';

/** What the router reports for /metrics. */
export interface RouterMetrics {
  /** A repeated delivery was dropped. */
  duplicate(platform: string): void;
  /** One working step ran (committed or not), with its stage and duration in seconds. */
  step(stage: string, seconds: number): void;
}

/** A short id that ties a generic error message in chat to its log line. */
export function referenceId(): string {
  return randomBytes(4).toString('hex');
}

/** Slack and Discord are shared; the terminal and in-process adapters are the operator's own. */
export function isChatPlatform(platform: Platform): boolean {
  return platform === 'slack' || platform === 'discord';
}
