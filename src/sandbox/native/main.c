/*
 * ff2-sandbox: the root-side helper of ff2's sandbox (see src/sandbox/native.ts).
 *
 *   ff2-sandbox bpf FILE
 *       Writes the seccomp denylist (built with libseccomp) as a BPF program to FILE.
 *   ff2-sandbox lock LOCKDIR WORKDIR FIRST COUNT WANT
 *       Claims up to WANT slot UIDs in [FIRST, FIRST+COUNT): an exclusive flock on
 *       LOCKDIR/UID.lock for each, held until stdin closes or SIGTERM (the owning ff2 process
 *       ends or releases them). Every process of a claimed UID is killed and its work area
 *       WORKDIR/UID unmounted, both when claimed and when released; a UID that cannot be emptied
 *       is marked LOCKDIR/UID.quarantine and skipped. Prints the claimed UIDs on one line.
 *   ff2-sandbox kill UID
 *       Kills every process of UID; exit 0 when none is left, 3 otherwise.
 *   ff2-sandbox run --uid U --ppid P --ctl FD --workdir DIR [--seccomp FILE] [--cgroup PROCS]...
 *       One sandboxed run, started ahead of time: joins the slot's cgroups, then waits for the
 *       run on the control fd: a "/config" frame (NUL-separated: --timeout-ms T --size B
 *       --inodes N [--rlimit NAME=SOFT:HARD]... [--gui] -- BWRAP ARGS...), then the inputs as
 *       frames (u32 name length, name, u64 data length, data), then end of stream. It mounts a
 *       fresh capped tmpfs on DIR, writes the inputs (O_EXCL|O_NOFOLLOW, owned by U), and runs
 *       bwrap as U under the rlimits with the seccomp filter. It stays root, is the subreaper of
 *       the whole run, enforces the wall limit (SIGTERM ends the run early) and ends every
 *       process of U before it reports on the control fd:
 *         exit N | signal N   how bwrap ended;   timeout   the wall limit struck;
 *         left N              processes of U that could not be killed;
 *         error MESSAGE       the run could not start (host problem);
 *         times P S T         µs spent on the work area, in the sandbox, and ending the run.
 */
#include "ff2-sandbox.h"

int ctl = -1;

void report(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  if (ctl >= 0) {
    if (write(ctl, line, n) < 0) { /* ff2 is gone */ }
  } else {
    if (write(2, line, n) < 0) { /* nothing to do */ }
  }
}

void fail(const char *what) {
  report("error %s: %s", what, strerror(errno));
  exit(125);
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "bpf")) return write_bpf(argv[2]);
  if (argc == 7 && !strcmp(argv[1], "lock"))
    return lock_slots(argv[2], argv[3], strtoul(argv[4], NULL, 10), strtoul(argv[5], NULL, 10),
                      strtoul(argv[6], NULL, 10));
  if (argc == 3 && !strcmp(argv[1], "kill")) {
    uid_t uid = strtoul(argv[2], NULL, 10);
    if (uid == 0) return 2;
    return kill_all(uid, 1000) > 0 ? 3 : 0;
  }
  if (argc > 2 && !strcmp(argv[1], "run")) return parse_run(argc, argv);
  fprintf(stderr, "usage: ff2-sandbox bpf FILE | lock LOCKDIR WORKDIR FIRST COUNT WANT | kill UID | run [options] -- BWRAP ARGS\n");
  return 2;
}
