import type {
  BlobRow,
  EventRow,
  LlmCallRow,
  OutboxRow,
  ReviewRow,
  RunRow,
  ScriptVersionRow,
  SessionRow,
  SessionStatus,
} from './types.js';

/**
 * Raw row shapes as both engines return them (snake_case columns; JSON as text; integers as
 * numbers — the PostgreSQL worker parses int8/numeric to numbers) and their mapping to the public
 * types. Shared by the SQLite and PostgreSQL stores so a row reads the same from either.
 */

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

type Raw = Record<string, unknown>;

/** `snake_case` → `camelCase`. */
function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The listed columns under their camelCase names; SQL NULL stays null, a missing column reads as null. */
function columns<T>(r: Raw, names: readonly string[]): T {
  const out: Raw = {};
  for (const name of names) out[camel(name)] = r[name] ?? null;
  return out as T;
}

const SESSION = ['id', 'thread_key', 'platform', 'owner_id', 'goal', 'stage', 'status', 'version'];
const OUTBOX = ['id', 'session_id', 'thread_key', 'key', 'status', 'attempts', 'not_before', 'error'];
const SCRIPT = ['session_id', 'number', 'reason', 'code', 'diff', 'created_at'];
const RUN = ['id', 'session_id', 'version', 'status', 'exit_code', 'duration_ms', 'created_at'];
const LLM_CALL = [
  'id',
  'session_id',
  'stage',
  'call_key',
  'provider',
  'model',
  'prompt_tokens',
  'completion_tokens',
  'latency_ms',
  'cost_usd',
  'outcome',
  'response',
  'created_at',
];
const REVIEW = ['id', 'session_id', 'reviewer', 'verdict', 'created_at'];

export function toSession(r: SessionRecord): SessionRow {
  return {
    ...columns<Omit<SessionRow, 'state' | 'createdAt' | 'updatedAt'>>(r as unknown as Raw, SESSION),
    state: parseJson(r.state),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toOutbox(r: Raw): OutboxRow {
  return {
    ...columns<Omit<OutboxRow, 'payload' | 'messageRef' | 'createdAt' | 'maybeSent'>>(r, OUTBOX),
    payload: parseJson(r.payload as string),
    messageRef: r.message_ref == null ? null : parseJson(r.message_ref as string),
    createdAt: r.created_at as number,
    maybeSent: r.maybe_sent === 1,
  };
}

export function toScriptVersion(r: Raw): ScriptVersionRow {
  return columns<ScriptVersionRow>(r, SCRIPT);
}

export function toRun(r: Raw): RunRow {
  return { ...columns<Omit<RunRow, 'result'>>(r, RUN), result: parseJson(r.result as string) };
}

export function toLlmCall(r: Raw): LlmCallRow {
  return columns<LlmCallRow>(r, LLM_CALL);
}

export function toReview(r: Raw): ReviewRow {
  return {
    ...columns<ReviewRow>(r, REVIEW),
    ...(r.comment == null ? {} : { comment: r.comment as string }),
  };
}

export function toEvent(r: Raw): EventRow {
  return {
    id: r.id as number,
    sessionId: r.session_id as string,
    type: r.type as string,
    ...(r.actor == null ? {} : { actor: r.actor as string }),
    data: parseJson(r.data as string | null),
    createdAt: r.created_at as number,
  };
}

export function toBlob(r: Raw): BlobRow {
  return {
    ...columns<Omit<BlobRow, 'bytes'>>(r, ['id', 'session_id', 'hash', 'name', 'size', 'created_at']),
    bytes: new Uint8Array(r.bytes as Buffer),
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
