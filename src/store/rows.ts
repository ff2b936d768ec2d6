import type {
  LlmCallRow,
  OutboxRow,
  ReviewRow,
  RunRow,
  ScriptVersionRow,
  SessionRow,
  SessionStatus,
} from './types.js';

/** Raw row shapes as SQLite returns them, and their mapping to the public types. */

export interface SessionRecord {
  id: string;
  thread_key: string;
  platform: string;
  owner_id: string;
  goal: string;
  stage: string;
  status: SessionStatus;
  version: number;
  state: string;
  created_at: number;
  updated_at: number;
}

export function toSession(r: SessionRecord): SessionRow {
  return {
    id: r.id,
    threadKey: r.thread_key,
    platform: r.platform,
    ownerId: r.owner_id,
    goal: r.goal,
    stage: r.stage,
    status: r.status,
    version: r.version,
    state: parseJson(r.state),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toOutbox(r: Record<string, unknown>): OutboxRow {
  return {
    id: r.id as number,
    sessionId: (r.session_id as string | null) ?? null,
    threadKey: r.thread_key as string,
    key: (r.key as string | null) ?? null,
    payload: parseJson(r.payload as string),
    status: r.status as OutboxRow['status'],
    attempts: r.attempts as number,
    notBefore: r.not_before as number,
    messageRef: r.message_ref == null ? null : parseJson(r.message_ref as string),
    error: (r.error as string | null) ?? null,
    createdAt: r.created_at as number,
    maybeSent: r.maybe_sent === 1,
  };
}

export function toScriptVersion(r: Record<string, unknown>): ScriptVersionRow {
  return {
    sessionId: r.session_id as string,
    number: r.number as number,
    reason: r.reason as string,
    code: r.code as string,
    diff: r.diff as string,
    createdAt: r.created_at as number,
  };
}

export function toRun(r: Record<string, unknown>): RunRow {
  return {
    id: r.id as number,
    sessionId: r.session_id as string,
    version: r.version as number,
    status: r.status as string,
    exitCode: (r.exit_code as number | null) ?? null,
    durationMs: r.duration_ms as number,
    result: parseJson(r.result as string),
    createdAt: r.created_at as number,
  };
}

export function toLlmCall(r: Record<string, unknown>): LlmCallRow {
  return {
    id: r.id as number,
    sessionId: (r.session_id as string | null) ?? null,
    stage: r.stage as string,
    callKey: (r.call_key as string | null) ?? null,
    provider: r.provider as string,
    model: r.model as string,
    promptTokens: r.prompt_tokens as number,
    completionTokens: r.completion_tokens as number,
    latencyMs: r.latency_ms as number,
    costUsd: r.cost_usd as number,
    outcome: r.outcome as string,
    response: (r.response as string | null) ?? null,
    createdAt: r.created_at as number,
  };
}

export function toReview(r: Record<string, unknown>): ReviewRow {
  return {
    id: r.id as number,
    sessionId: r.session_id as string,
    reviewer: r.reviewer as string,
    verdict: r.verdict as ReviewRow['verdict'],
    ...(r.comment == null ? {} : { comment: r.comment as string }),
    createdAt: r.created_at as number,
  };
}

/** JSON columns are written only by this store; a corrupt one reads as null rather than crashing callers. */
export function parseJson(text: string | null): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
