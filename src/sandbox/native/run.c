/* One run: the zygote that becomes bwrap, the wall limit, reaping and the report. */
#include "ff2-sandbox.h"

static volatile sig_atomic_t stop_reason = 0; /* 1 timeout, 2 asked to stop, 3 leftovers */
static volatile sig_atomic_t lingering = 0;      /* the command ended; the timer now waits for the rest */

static void on_signal(int sig) { stop_reason = sig != SIGALRM ? 2 : lingering ? 3 : 1; }

/* cgroup v2: cgroup.kill ends everything in the run's cgroup at once (v1 has no such file). */
static void kill_cgroups(struct run_opts *o) {
  for (int i = 0; i < o->ncgroups; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", o->cgroups[i]);
    char *slash = strrchr(path, '/');
    if (!slash) continue;
    snprintf(slash, sizeof path - (slash - path), "/cgroup.kill");
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (write(fd, "1", 1) < 0) { /* best effort: kill_all_once follows */ }
    close(fd);
  }
}

/*
 * The zygote: forked when the helper starts, it joins the slot's cgroups at once (slow on cgroup
 * v1, but off the run's path) and waits for the run's config on a pipe; then it becomes bwrap.
 * The helper itself stays outside the cgroups, so it can always fork to kill.
 */
static void zygote(struct run_opts *o, int go) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char pid[32];
  snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  for (int i = 0; i < o->ncgroups; i++) {
    int fd = open(o->cgroups[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid, strlen(pid)) < 0) fail("joining the slot's cgroup");
    close(fd);
  }
  uint64_t len;
  if (read_full(go, &len, sizeof len) != 1) _exit(0); /* the run never came */
  if (len == 0 || len > 1 << 20) _exit(125);
  char *data = malloc(len + 1);
  if (!data || read_full(go, data, len) != 1) _exit(125);
  close(go);
  parse_config(o, data, len);
  child_exec(o);
}

/* As the slot UID, under the rlimits, tied to this helper: exec bwrap with the seccomp filter. */
void child_exec(struct run_opts *o) {
  int filter = -1;
  if (o->seccomp) {
    filter = open(o->seccomp, O_RDONLY); /* inherited by bwrap, which reads and closes it */
    if (filter < 0) fail("opening the seccomp filter");
  }
  if (setgroups(0, NULL) || setresgid(o->uid, o->uid, o->uid) || setresuid(o->uid, o->uid, o->uid))
    fail("dropping to the slot uid");
  /* After the uid change (which clears it): bwrap dies with this helper. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (int i = 0; i < o->nrlimits; i++) {
    char name[16];
    unsigned long long soft, hard;
    if (sscanf(o->rlimits[i], "%15[a-z]=%llu:%llu", name, &soft, &hard) != 3 || rlimit_of(name) < 0) {
      errno = EINVAL;
      fail(o->rlimits[i]);
    }
    struct rlimit rl = {soft, hard};
    if (setrlimit(rlimit_of(name), &rl) < 0) fail(o->rlimits[i]);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGALRM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  if (!o->gui) close(3); /* fd 3 carries the screenshot of GUI runs only */
  int n = 0;
  while (o->argv[n]) n++;
  char **argv = calloc(n + 3, sizeof *argv);
  char fdarg[16];
  argv[0] = o->argv[0];
  int k = 1;
  if (filter >= 0) {
    snprintf(fdarg, sizeof fdarg, "%d", filter);
    argv[k++] = "--seccomp";
    argv[k++] = fdarg;
  }
  for (int i = 1; i < n; i++) argv[k++] = o->argv[i];
  argv[k] = NULL;
  execv(argv[0], argv);
  fail("starting bwrap");
}

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Started ahead of the run (ff2 keeps one waiting per slot), so that joining the cgroup (slow on
 * cgroup v1: the kernel waits for an RCU grace period) and process start-up are off the run's
 * path; the config frame on the control fd starts the run.
 */
static int run(struct run_opts *o) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  struct sigaction sa = {0};
  sa.sa_handler = on_signal; /* no SA_RESTART: waitpid returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != o->ppid) return 125; /* ff2 died before we could tie ourselves to it */
  /* Nothing of the slot UID may predate the run (this runs before the run is asked for). */
  int stale = kill_all(o->uid, 1000);
  if (stale > 0) {
    report("left %d", stale);
    report("error processes of uid %u survived SIGKILL", o->uid);
    return 0;
  }
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) fail("pipe");
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    close(go[1]);
    zygote(o, go[0]);
  }
  close(go[0]);
  /* The run's stdio belongs to the zygote now: ff2 sees their end as soon as the run's last
   * process is gone, without waiting for this helper (which reports on ctl only). */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 3 && null >= 0; fd++) dup3(null, fd, O_CLOEXEC);
  if (null > 3) close(null);
  if (!read_config(o)) {
    /* Released unused: the zygote goes first, so the slot's cgroup is empty when we are gone. */
    kill(child, SIGKILL);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    return 0;
  }
  long long t0 = now_us();
  fresh_area(o->workdir, o->uid, o->size, o->inodes);
  write_inputs(o->workdir, o->uid);
  if (stop_reason) {
    kill(child, SIGKILL);
    report("signal 9");
    return 0;
  }
  long long t1 = now_us(), t2 = 0;
  if (write(go[1], &o->config_len, sizeof o->config_len) < 0 || write(go[1], o->config, o->config_len) < 0) {
    /* The zygote is gone (it reported why); its exit status is collected below. */
  }
  close(go[1]);
  if (o->timeout_ms > 0) {
    struct itimerval t = {{0, 0}, {o->timeout_ms / 1000, (o->timeout_ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &t, NULL);
  }
  int status = 0, have = 0, stopping = 0;
  for (;;) {
    if (stop_reason && !stopping) {
      stopping = stop_reason;
      if (!have) kill(child, SIGKILL); /* once reaped, its pid may belong to someone else */
      kill_cgroups(o);
      kill_all_once(o->uid);
    }
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0 && errno == EINTR) continue;
    if (p < 0) break; /* ECHILD: the whole run is gone */
    if (p == child) {
      status = st;
      have = 1;
      t2 = now_us();
      /* The command is done. The sandbox's init dies with bwrap and takes the pid namespace with
       * it; whatever has not gone within 50 ms is killed (not a timeout). */
      if (!stopping) {
        lingering = 1;
        struct itimerval t = {{0, 0}, {0, 50000}};
        setitimer(ITIMER_REAL, &t, NULL);
      }
    }
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  /* Every descendant is reaped (ECHILD); after a kill, make sure nothing of the UID is left at all. */
  int left = stopping ? kill_all(o->uid, 500) : 0;
  long long t3 = now_us();
  if (!t2) t2 = t3;
  report("times %lld %lld %lld", t1 - t0, t2 - t1, t3 - t2);
  if (stopping == 1) report("timeout");
  if (left > 0) report("left %d", left);
  if (!have) report("error bwrap was not reaped");
  else if (WIFEXITED(status)) report("exit %d", WEXITSTATUS(status));
  else report("signal %d", WTERMSIG(status));
  shutdown(ctl, SHUT_WR); /* the report is complete */
  return 0;
}

int parse_run(int argc, char **argv) {
  struct run_opts o = {0};
  o.ppid = -1;
  parse_opts(&o, argv + 2, argc - 2);
  if (o.uid == 0 || ctl < 3 || !o.workdir) {
    errno = EINVAL;
    fail("usage");
  }
  fcntl(ctl, F_SETFD, FD_CLOEXEC);
  return run(&o);
}

