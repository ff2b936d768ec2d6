import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { outlineText } from '../pipeline/messages.js';
import { answersText } from '../pipeline/prompts/outline.js';
import { sessionStateSchema } from '../pipeline/types.js';
import { createStore } from '../store/open.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './types.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a session’s script versions, goal, outline, diffs and runs to a folder',
  usage: `Usage: ff2 export <session-id> [dir]

Writes a folder a person can read and diff (default: <FF2_DATA_DIR>/sessions/<id>/export):
  NN_<reason>.py   every script version, in order (01_generated.py, 02_repair-1-parse_rows.py, …)
  goal.md          the goal, answers to the interview, status and totals
  outline.md       the approved outline
  diffs/           NN_<reason>.diff: each version against the one before
  runs/            NNN_<status>.txt: each sandbox run with its checks, stdout and stderr
Read-only on the database; safe next to a running server.`,
  async run(args, io) {
    const { positionals } = parseCommandArgs({ args, allowPositionals: true, strict: true });
    const [id, target, ...extra] = positionals;
    if (!id) throw new UsageError('missing the session id (see `ff2 sessions`)');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const config = loadConfig(io.env, io.cwd, { platforms: false });
    const store = createStore(config);
    try {
      const session = store.getSession(id);
      if (!session) {
        io.err(`No session ${id}. List them with: ff2 sessions\n`);
        return 1;
      }
      const dir = target ? resolve(io.cwd, target) : join(config.dataDir, 'sessions', id, 'export');
      mkdirSync(join(dir, 'diffs'), { recursive: true });
      mkdirSync(join(dir, 'runs'), { recursive: true });
      const parsed = sessionStateSchema.safeParse(session.state);
      const state = parsed.success ? parsed.data : undefined;
      let written = 0;
      const write = (path: string, text: string) => {
        writeFileSync(join(dir, path), text);
        written++;
      };

      for (const v of store.listScriptVersions(id)) {
        const name = `${String(v.number).padStart(2, '0')}_${slug(v.reason)}`;
        write(`${name}.py`, v.code);
        if (v.diff) write(join('diffs', `${name}.diff`), v.diff);
      }
      const usage = store.usageTotals(id);
      const goal = [
        `# Goal\n\n${session.goal}\n`,
        `- Session: ${session.id}`,
        `- Owner: ${session.ownerId}`,
        `- Stage: ${session.stage} (${session.status})`,
        `- Started: ${new Date(session.createdAt).toISOString()}`,
        `- Model calls: ${usage.calls}, tokens ${usage.promptTokens} in / ${usage.completionTokens} out, $${usage.costUsd.toFixed(4)}`,
      ];
      if (state && state.questions.length > 0)
        goal.push(`\n## Interview\n\n${answersText(state.questions, state.answers)}`);
      if (state?.note) goal.push(`\n## Note\n\n${state.note}`);
      write('goal.md', `${goal.join('\n')}\n`);
      write(
        'outline.md',
        state?.outline ? `# Outline\n\n${outlineText(state.outline)}\n` : '# Outline\n\n(none yet)\n',
      );
      for (const [i, run] of store.listRuns(id).entries()) {
        write(join('runs', `${String(i + 1).padStart(3, '0')}_${slug(run.status)}.txt`), runText(run));
      }
      io.out(`Exported session ${id} (${written} files) to ${dir}\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'version'
  );
}

function runText(run: {
  version: number;
  status: string;
  exitCode: number | null;
  durationMs: number;
  result: unknown;
}): string {
  const lines = [
    `version ${run.version} · ${run.status} · exit ${run.exitCode ?? '-'} · ${run.durationMs} ms`,
  ];
  const checks = (run.result as { checks?: unknown[] } | null)?.checks;
  for (const c of Array.isArray(checks) ? checks : []) {
    const check = c as {
      label?: string;
      failure?: string | null;
      stdout?: string;
      stderr?: string;
      exitCode?: number | null;
    };
    lines.push(
      '',
      `== ${check.label ?? 'run'}: ${check.failure ? `FAILED — ${check.failure}` : 'ok'} (exit ${check.exitCode ?? '-'})`,
    );
    if (check.stdout) lines.push('-- stdout', check.stdout.trimEnd());
    if (check.stderr) lines.push('-- stderr', check.stderr.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
