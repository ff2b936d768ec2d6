import type { Stage } from '../context.js';
import { diffScripts } from '../script.js';
import type { Draft } from '../types.js';

/** Posts the final script, its diff against the first version, the run log and totals; a review card goes to the channel. */
export const shipStage: Stage = {
  async run(ctx) {
    const { state, facts } = ctx;
    const u = facts.usage;
    const totals = `${state.versions} version(s), ${state.runs} run(s), ${u.calls} model call(s), ${u.promptTokens + u.completionTokens} tokens, $${u.costUsd.toFixed(4)}`;
    const diff = diffScripts(facts.firstCode, state.code, 'first/script.py', 'final/script.py');
    const files = [
      { name: 'script.py', text: state.code, mime: 'text/x-python' },
      ...(diff ? [{ name: 'changes-since-first-version.diff', text: diff }] : []),
      { name: 'run-log.txt', text: `${facts.runLog.join('\n')}\n` },
    ];
    // Shipped as is after a failing run: the card says what still fails.
    const failing =
      state.lastRun && !state.lastRun.ok ? `\n⚠ Shipped with failing checks: ${state.lastRun.problem}` : '';
    const shipped: Draft = { title: 'Shipped', text: `Shipped. ${totals}.${failing}`, files };
    const card: Draft = {
      toChannel: true,
      // Named so the router can show who approved on it (REVIEW_CARD_KEY).
      key: 'review_card',
      title: 'Script shipped — review wanted',
      text: `Goal: ${ctx.goal.slice(0, 300)}\n${totals}. The script is attached.${failing}`,
      files: [{ name: 'script.py', text: state.code, mime: 'text/x-python' }],
      buttons: [
        [
          { action: 'review_approve', label: 'Approve', style: 'primary' },
          { action: 'review_changes', label: 'Request changes' },
        ],
      ],
    };
    return { result: 'ok', state: { ...state, note: totals }, messages: [shipped, card] };
  },
};
