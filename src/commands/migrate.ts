import { loadConfig } from '../config.js';
import { JOBS_SCHEMA, JOBS_SCHEMA_LEVEL, jobLibraryLevel, migrateJobLibrary } from '../ops/job-library.js';
import { createStore, describeStore, migrateStore, storeEngine } from '../store/open.js';
import { parseDryRunJson } from './dry-run-args.js';
import type { Command } from './types.js';

const USAGE = `Usage: ff2 migrate [--dry-run] [--json]

Prints the database's schema level, the migrations this ff2 still has to apply, and applies
them (SQLite: FF2_DB; PostgreSQL: FF2_DATABASE_URL). Every ff2 command also migrates on start;
run this before starting new workers on a shared PostgreSQL database. Safe to run again, and
safe while other ff2 processes run (PostgreSQL: one migrator at a time, under a lock).
With PostgreSQL it also creates or migrates the job library's schema (pg-boss, schema ff2_jobs).

  --dry-run   only print the plan
  --json      print { "engine", "database", "current", "target", "pending": [...], "applied" }
              (PostgreSQL: and "jobs": { "schema", "current", "target", "applied" })`;

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'print and apply pending database migrations (SQLite or PostgreSQL)',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseDryRunJson(args);
    const values = { 'dry-run': parsed.dryRun, json: parsed.json };
    const config = loadConfig(io.env, io.cwd, { platforms: false });
    const apply = !values['dry-run'];
    const plan = migrateStore(config, apply, () => createStore(config));
    const database = describeStore(config);
    const engine = storeEngine(config);
    const jobs = config.databaseUrl ? await jobLibraryPlan(config.databaseUrl, apply) : undefined;
    if (values.json) {
      const applied = apply && plan.pending.length > 0;
      io.out(`${JSON.stringify({ engine, database, ...plan, applied, ...(jobs ? { jobs } : {}) })}\n`);
      return 0;
    }
    io.out(`${engine} ${database}: schema level ${plan.current}, this ff2 needs ${plan.target}\n`);
    if (plan.pending.length === 0) io.out('Up to date; nothing to apply.\n');
    else {
      for (const m of plan.pending) io.out(`  ${m.version}. ${m.name}\n`);
      io.out(apply ? `Applied ${plan.pending.length} migration(s).\n` : 'Dry run: nothing applied.\n');
    }
    if (jobs) {
      const level = jobs.current === null ? 'not created' : `level ${jobs.current}`;
      const outcome =
        jobs.current === jobs.target ? 'up to date' : jobs.applied ? 'migrated' : 'dry run: nothing applied';
      io.out(
        `job library (pg-boss, schema ${jobs.schema}): ${level}, this ff2 needs ${jobs.target}; ${outcome}\n`,
      );
    }
    return 0;
  },
};

/** The job library's schema level, migrated when `apply` and behind. */
async function jobLibraryPlan(url: string, apply: boolean) {
  const current = (await jobLibraryLevel(url)) ?? null;
  const behind = current !== JOBS_SCHEMA_LEVEL;
  if (apply && behind) await migrateJobLibrary(url);
  return { schema: JOBS_SCHEMA, current, target: JOBS_SCHEMA_LEVEL, applied: apply && behind };
}
