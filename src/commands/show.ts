import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { outlineText } from '../pipeline/messages.js';
import { parseState, type SessionState } from '../pipeline/types.js';
import type { EventType } from '../pipeline/vocabulary.js';
import type { SessionStore } from '../store/types.js';
import { parseCommandArgs } from './args.js';
import { oneLine, openExistingStore, summarise } from './sessions.js';
import type { Command } from './types.js';

/** Everything `ff2 show --json` prints for one session. */
export function sessionHistory(store: SessionStore, id: string) {
  const row = store.getSession(id);
  if (!row) return undefined;
  const llmCalls = store.listLlmCalls(id);
  const byStage = new Map<
    string,
    { calls: number; promptTokens: number; completionTokens: number; costUsd: number }
  >();
  for (const c of llmCalls) {
    const s = byStage.get(c.stage) ?? { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
    s.calls++;
    s.promptTokens += c.promptTokens;
    s.completionTokens += c.completionTokens;
    s.costUsd += c.costUsd;
    byStage.set(c.stage, s);
  }
  return {
    session: {
      ...summarise(store, row),
      threadKey: row.threadKey,
      created: new Date(row.createdAt).toISOString(),
    },
    state: row.state,
    events: store.listEvents(id).map((e) => ({
      at: new Date(e.createdAt).toISOString(),
      type: e.type,
      actor: e.actor ?? null,
      data: e.data ?? null,
    })),
    versions: store.listScriptVersions(id).map((v) => ({
      number: v.number,
      reason: v.reason,
      at: new Date(v.createdAt).toISOString(),
      lines: v.code.split('\n').length,
      diff: v.diff,
    })),
    runs: store.listRuns(id).map((r) => ({
      id: r.id,
      version: r.version,
      status: r.status,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      at: new Date(r.createdAt).toISOString(),
      result: r.result,
    })),
    reviews: store.listReviews(id).map((r) => ({
      reviewer: r.reviewer,
      verdict: r.verdict,
      comment: r.comment ?? null,
      at: new Date(r.createdAt).toISOString(),
    })),
    usage: { ...store.usageTotals(id), byStage: Object.fromEntries(byStage) },
  };
}

export const showCommand: Command = {
  name: 'show',
  summary: "print one session's history: answers, outline, versions, runs, reviews, usage",
  usage: `Usage: ff2 show <session-id> [--json]

Prints a session's history: the goal, questions and answers, outline, every script version with
its reason, runs with their status, feedback, reviews and model usage per stage.
Reads the database only; safe while "ff2 serve" or "ff2 chat" is running.
Exit code 0, or 1 when there is no such session.

  --json   print { session, state, events, versions, runs, reviews, usage }`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0) throw new UsageError('give exactly one session id (see "ff2 sessions")');

    const store = openExistingStore(loadConfig(io.env, io.cwd, { platforms: false }));
    let history: ReturnType<typeof sessionHistory>;
    try {
      history = store ? sessionHistory(store, id) : undefined;
    } finally {
      store?.close();
    }
    if (!history) {
      io.err(`ff2 show: no session "${id}". List them with: ff2 sessions\n`);
      return 1;
    }
    io.out(values.json ? `${JSON.stringify(history)}\n` : formatHistory(history));
    return 0;
  },
};

type History = NonNullable<ReturnType<typeof sessionHistory>>;

function formatHistory(h: History): string {
  const s = h.session;
  const out: string[] = [
    `Session ${s.id} (${s.platform}, owner ${s.owner})`,
    `  goal:    ${s.goal}`,
    `  stage:   ${s.stage} (${s.status}), updated ${s.updated.replace('T', ' ').slice(0, 19)}`,
  ];
  out.push(...describeState(h.state), '', 'History:');
  for (const e of h.events) out.push(`  ${e.at.slice(11, 19)}  ${e.type.padEnd(17)} ${describeEvent(e)}`);
  if (h.events.length === 0) out.push('  (no events)');
  out.push('', 'Script versions:');
  for (const v of h.versions) out.push(`  v${v.number}  ${v.reason}  (${v.lines} lines)`);
  if (h.versions.length === 0) out.push('  (none yet)');
  out.push('', 'Runs:');
  for (const r of h.runs)
    out.push(`  #${r.id}  v${r.version}  ${r.status}  exit ${r.exitCode ?? '-'}  ${r.durationMs} ms`);
  if (h.runs.length === 0) out.push('  (none yet)');
  if (h.reviews.length > 0) {
    out.push('', 'Reviews:');
    for (const r of h.reviews) out.push(`  ${r.reviewer}: ${r.verdict}${r.comment ? ` — ${r.comment}` : ''}`);
  }
  out.push('', 'Model usage:');
  for (const [stage, u] of Object.entries(h.usage.byStage))
    out.push(
      `  ${stage.padEnd(12)} ${u.calls} call(s), ${u.promptTokens} in / ${u.completionTokens} out${u.costUsd > 0 ? `, $${u.costUsd.toFixed(4)}` : ''}`,
    );
  out.push(
    `  total        ${h.usage.calls} call(s), ${h.usage.promptTokens} in / ${h.usage.completionTokens} out${h.usage.costUsd > 0 ? `, $${h.usage.costUsd.toFixed(4)}` : ''}`,
  );
  return `${out.join('\n')}\n`;
}

/** A one-line reading of an audit event: what happened, in words where the type is known. */
function describeEvent(e: { type: string; actor: string | null; data: unknown }): string {
  const who = e.actor && e.actor !== 'bot' ? `${e.actor}: ` : '';
  const d = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
  const str = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : '');
  // Typed against the audit vocabulary: a misspelt case is a type error; unknown types fall through.
  switch (e.type as EventType) {
    case 'goal':
      return who + oneLine(str('goal'), 100);
    case 'input_message':
    case 'comment':
      return who + oneLine(str('text'), 100);
    case 'input_action':
      return `${who}clicked ${str('action')}${str('value') ? ` (${str('value')})` : ''}`;
    case 'input_file':
      return `${who}attached ${str('name')} (${String(d.bytes ?? '?')} bytes)`;
    case 'stage_done':
      return `${str('from')} → ${str('to')} (${str('result')})`;
    case 'section_generated':
      return `wrote ${str('name')}`;
    case 'repair':
      return `round ${String(d.round ?? '?')}: ${str('target')}${str('reason') ? ` — ${oneLine(str('reason'), 80)}` : ''}`;
    case 'review': {
      const verdicts = Array.isArray(d.verdicts) ? (d.verdicts as Record<string, unknown>[]) : [];
      const flagged = verdicts.filter((v) => Object.values(v).some((x) => x === false)).length;
      return `${verdicts.length} section(s) reviewed, ${flagged} flagged`;
    }
    case 'qa_fix':
      return `${Array.isArray(d.findings) ? d.findings.length : '?'} finding(s) fixed`;
    case 'stage_error':
      return `${str('stage')}: ${oneLine(str('error'), 100)}`;
  }
  const data = e.data;
  if (data === null || data === undefined) return who.trimEnd();
  if (typeof data === 'string') return who + oneLine(data, 100);
  for (const key of ['text', 'answer', 'question', 'goal', 'summary', 'action', 'reason', 'stage']) {
    if (str(key)) return who + oneLine(str(key), 100);
  }
  return who + oneLine(JSON.stringify(data), 100);
}

/** Questions with their answers and the outline, from the pipeline state (when it reads). */
function describeState(raw: unknown): string[] {
  let state: SessionState;
  try {
    state = parseState(raw);
  } catch {
    return [];
  }
  const out: string[] = [];
  if (state.questions.length > 0) {
    out.push('', 'Questions:');
    state.questions.forEach((q, i) => {
      const answer = state.answers[String(i)];
      out.push(`  ${i + 1}. ${q.question}`, `     → ${answer ?? `(unanswered; default: ${q.default})`}`);
    });
  }
  if (state.outline) {
    out.push(
      '',
      'Outline:',
      ...outlineText(state.outline)
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  if (state.note) out.push('', `Note: ${state.note}`);
  return out;
}
