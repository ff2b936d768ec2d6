import Database from 'better-sqlite3';
import { percentile, runClickLoad } from '../tests/integration/slack/load-scenario.js';

const r = await runClickLoad({
  sessions: 40,
  channels: 10,
  env: { FF2_SLACK_CHANNEL_INTERVAL_MS: '1000' },
  timeoutMs: 240000,
  inspect: (path) => {
    const db = new Database(path, { readonly: true });
    const rows = db
      .prepare(
        `SELECT id, thread_key, key, status, created_at c, sent_at s, attempts, json_extract(payload,'$.text') t, json_extract(payload,'$.replaceOnly') ro FROM outbox ORDER BY id`,
      )
      .all() as any[];
    const chosen = rows.filter((x) => String(x.t).includes('chosen by'));
    for (const x of chosen.slice(0, 6)) {
      const ch = x.thread_key.split(':').slice(0, 2).join(':');
      const between = rows.filter(
        (y) => y.thread_key.startsWith(ch + ':') && y.s && y.s > x.c && y.s < (x.s ?? Infinity),
      );
      const sameThreadBefore = rows.filter(
        (y) => y.thread_key === x.thread_key && y.id < x.id && (!y.s || y.s > x.c),
      );
      console.log(
        'chosen',
        x.id,
        'wait',
        (x.s ?? Date.now()) - x.c,
        'attempts',
        x.attempts,
        'sent in channel meanwhile',
        between.length,
        between.map((y) => `${y.id}:${(y.key ?? '-').slice(0, 8)}`).join(','),
        '| thread rows ahead',
        sameThreadBefore
          .map((y) => `${y.id}:${y.status}:${(y.key ?? '-').slice(0, 10)}:${y.s ? y.s - x.c : 'unsent'}`)
          .join(','),
      );
    }
    db.close();
  },
});
console.log('p50', percentile(r.clickEffectMs, 0.5), 'p99', percentile(r.clickEffectMs, 0.99));
process.exit(0);
