/**
 * What the gates take and give: a person's input, the gates' answer (an advance the runner
 * commits, or a reply only that person sees) and the options they read. Pure types and helpers.
 */
import type { FileReader } from './context.js';
import { isCancelText } from './feedback.js';
import type { StageResult } from './machine.js';
import { REPLIES } from './messages.js';
import type { Draft, SessionState } from './types.js';
import { type GateAction, isGateAction } from './vocabulary.js';

/** A person's input as it arrives from a platform (an action is any text a button carried). */
export type HumanInput =
  | { kind: 'message'; text: string }
  | { kind: 'action'; action: string; value?: string }
  /** A stored attachment (bytes are read by id through GateOptions.files when needed). */
  | { kind: 'file'; name: string; blobId: number; size: number; text?: string };

/** The input the gates act on: an action is one of GATE_ACTIONS. */
export type GateInput =
  | Exclude<HumanInput, { kind: 'action' }>
  | { kind: 'action'; action: GateAction; value?: string };

/** The input with its action checked against the vocabulary; undefined for an action ff2 never posts. */
export function toGateInput(input: HumanInput): GateInput | undefined {
  if (input.kind !== 'action') return input;
  return isGateAction(input.action) ? { ...input, action: input.action } : undefined;
}

export type GateOutcome =
  | { kind: 'advance'; result: StageResult; state: SessionState; messages?: Draft[]; scriptReason?: string }
  | { kind: 'reply'; text: string };

export interface GateOptions {
  maxRepairs: number;
  /** Who acted, for messages ("cancelled by …"). */
  actor: string;
  /** The actor is an approver (FF2_APPROVERS): only approvers may grant more budget. Default true. */
  approver?: boolean;
  /** Extra budgets approvers may grant per session (FF2_MAX_BUDGET_CONTINUES). Default unlimited. */
  maxBudgetContinues?: number;
  /** Stored files (an attached .py taken as the new script). */
  files?: FileReader;
  /** Display name of who acted ("edited by …"); `actor` when absent. */
  actorName?: string;
  /** The session's goal (an own script's outline gate applies it). */
  goal?: string;
}

/** A click on Cancel, or a typed "cancel". */
export function isCancelInput(input: HumanInput): boolean {
  return (
    (input.kind === 'action' && input.action === 'cancel') ||
    (input.kind === 'message' && isCancelText(input.text))
  );
}

/** The reply to a click on a button whose step has passed. */
export const STALE = REPLIES.stale;

/** Stays at the gate with a message (a partial answer, or a question back). */
export function stay(state: SessionState, message: Draft): GateOutcome {
  return { kind: 'advance', result: 'stay', state, messages: [message] };
}

export function advance(result: StageResult, state: SessionState, text?: string): GateOutcome {
  return { kind: 'advance', result, state, ...(text ? { messages: [{ text }] } : {}) };
}
