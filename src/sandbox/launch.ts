/**
 * The process chain of one run, outermost first:
 *   [sh: join the slot's cgroup, as root] → setpriv (drop to the slot UID; parent-death signal)
 *   → prlimit (rlimits) → bwrap → python.
 * setpriv ties the chain to the bot at once: bwrap's own --die-with-parent is armed only after
 * its setup, and a bot dying in between would orphan the run.
 */
export interface LaunchTools {
  setpriv: string;
  prlimit: string;
  bwrap: string;
}

export interface Launch {
  file: string;
  args: string[];
  /** When set, spawn with this uid/gid (no cgroup step); otherwise spawn as root. */
  uid: number | null;
}

/** Writes its own pid to each cgroup.procs given, then execs the rest ("$@"); 125 if it cannot. */
const JOIN_CGROUPS =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

export function launch(
  tools: LaunchTools,
  uid: number,
  cgroupProcs: readonly string[],
  prlimit: readonly string[],
  sandbox: readonly string[],
): Launch {
  const tail = [tools.prlimit, ...prlimit, '--', tools.bwrap, ...sandbox];
  if (cgroupProcs.length === 0) {
    return { file: tools.setpriv, args: ['--pdeathsig', 'KILL', '--', ...tail], uid };
  }
  const drop = [
    tools.setpriv,
    '--reuid',
    String(uid),
    '--regid',
    String(uid),
    '--clear-groups',
    '--pdeathsig',
    'KILL',
    '--',
  ];
  return {
    file: '/bin/sh',
    args: ['-c', JOIN_CGROUPS, 'ff2-sandbox', String(cgroupProcs.length), ...cgroupProcs, ...drop, ...tail],
    uid: null,
  };
}
