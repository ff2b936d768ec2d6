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
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int ctl = -1;

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...) {
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

static void fail(const char *what) {
  report("error %s: %s", what, strerror(errno));
  exit(125);
}

/* ---------- seccomp ---------- */

static int deny(scmp_filter_ctx f, const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return 0; /* not on this architecture */
  return seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

static int write_bpf(const char *path) {
  static const char *denied[] = {
      "keyctl", "add_key", "request_key", "io_uring_setup", "io_uring_enter", "io_uring_register",
      "userfaultfd", "bpf", "perf_event_open", "ptrace", "process_vm_readv", "process_vm_writev",
      "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "mount",
      "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
      "mount_setattr", "setns", "open_by_handle_at", "name_to_handle_at", "acct", "swapon",
      "swapoff", "reboot", "quotactl", "lookup_dcookie", "vhangup", "uselib", "nfsservctl",
      "fanotify_init", "chroot", NULL};
  static const unsigned long ns_flags[] = {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                                           CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, 0x00000080 /* CLONE_NEWTIME */};
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
  if (!f) return 1;
  int rc = 0;
  for (int i = 0; denied[i] && rc == 0; i++) rc = deny(f, denied[i]);
  for (size_t i = 0; i < sizeof ns_flags / sizeof *ns_flags && rc == 0; i++) {
    rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
    if (rc == 0)
      rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                            SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
  }
  /* clone3 passes its flags in memory, out of seccomp's sight: ENOSYS makes libc fall back to clone. */
  if (rc == 0) rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  /* personality: only the default (0) and the query (0xffffffff). The kernel reads 32 bits, so do
   * the rules; one comparison per rule, so [1, 0xfffffffe] is covered by prefix classes:
   * [2^k, 2^(k+1)) for k < 31, then 1..1 0 x..x. */
  for (int k = 0; k < 31 && rc == 0; k++)
    rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL & ~((1ULL << k) - 1), 1ULL << k));
  for (int j = 0; j < 31 && rc == 0; j++)
    rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL & ~((1ULL << j) - 1),
                                  0xffffffffULL & ~((2ULL << j) - 1)));
  /* Faking terminal input or console commands. */
  if (rc == 0)
    rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCSTI));
  if (rc == 0)
    rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCLINUX));
  if (rc != 0) {
    fprintf(stderr, "ff2-sandbox: seccomp rule: %s\n", strerror(-rc));
    seccomp_release(f);
    return 1;
  }
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || seccomp_export_bpf(f, fd) != 0 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
    perror("ff2-sandbox: writing the seccomp filter");
    unlink(tmp);
    seccomp_release(f);
    return 1;
  }
  seccomp_release(f);
  return 0;
}

/* ---------- processes of a UID ---------- */

/* Live (non-zombie) processes whose real UID is uid. */
static int count_uid(uid_t uid) {
  DIR *d = opendir("/proc");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  char path[300], buf[1024];
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0) continue;
    buf[r] = 0;
    char *state = strstr(buf, "\nState:\t");
    char *uidl = strstr(buf, "\nUid:\t");
    if (!uidl) continue;
    if (state && state[8] == 'Z') continue;
    if ((uid_t)strtoul(uidl + 6, NULL, 10) == uid) n++;
  }
  closedir(d);
  return n;
}

/*
 * kill(-1, SIGKILL) from a child that becomes uid: reaches exactly that uid's processes. A child,
 * because while it is uid, another killer of the same uid may kill it too (this process stays
 * root and loops). This process is outside the run's cgroup, so the fork works at its pids limit.
 */
static void kill_all_once(uid_t uid) {
  pid_t p = fork();
  if (p == 0) {
    if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) _exit(2);
    kill(-1, SIGKILL);
    _exit(0);
  }
  if (p > 0)
    while (waitpid(p, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* Kills until no live process of uid is left or ms pass; returns how many are left. */
static int kill_all(uid_t uid, int ms) {
  for (int waited = 0;; waited += 5) {
    kill_all_once(uid);
    int left = count_uid(uid);
    if (left <= 0 || waited >= ms) return left < 0 ? 0 : left;
    usleep(5000);
  }
}

/* ---------- lock ---------- */

static volatile sig_atomic_t released = 0;

static void on_release(int sig) {
  (void)sig;
  released = 1;
}

static void unmount_all(const char *path) {
  for (int i = 0; i < 16 && umount2(path, MNT_DETACH) == 0; i++) {
  }
}

static int lock_slots(const char *dir, const char *work, unsigned first, unsigned count, unsigned want) {
  struct sigaction sa = {0};
  sa.sa_handler = on_release; /* no SA_RESTART: the read below returns */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
    perror("ff2-sandbox: lock dir");
    return 1;
  }
  char line[4096] = "";
  size_t used = 0;
  unsigned got = 0;
  uid_t claimed[256];
  for (unsigned uid = first; uid < first + count && got < want && got < 256; uid++) {
    char path[PATH_MAX], mark[PATH_MAX];
    snprintf(path, sizeof path, "%s/%u.lock", dir, uid);
    snprintf(mark, sizeof mark, "%s/%u.quarantine", dir, uid);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
      close(fd);
      continue;
    }
    /* A former owner died: what it left on this UID goes now. */
    int left = kill_all(uid, 1000);
    if (left > 0) {
      int m = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (m >= 0) {
        dprintf(m, "%d processes of uid %u could not be killed (at %ld)\n", left, uid, (long)time(NULL));
        close(m);
      }
      close(fd);
      continue;
    }
    unlink(mark);
    char area[PATH_MAX];
    snprintf(area, sizeof area, "%s/%u", work, uid);
    unmount_all(area);
    used += snprintf(line + used, sizeof line - used, "%s%u", got ? " " : "", uid);
    claimed[got++] = uid;
  }
  printf("%s\n", line);
  fflush(stdout);
  char buf[64];
  while (!released) {
    ssize_t r = read(0, buf, sizeof buf);
    if (r == 0 || (r < 0 && errno != EINTR)) break;
  }
  /* The owner is gone or done: nothing of its runs outlives it. */
  for (unsigned i = 0; i < got; i++) {
    char area[PATH_MAX];
    kill_all(claimed[i], 1000);
    snprintf(area, sizeof area, "%s/%u", work, claimed[i]);
    unmount_all(area);
  }
  return 0;
}

/* ---------- run ---------- */

static volatile sig_atomic_t stop_reason = 0; /* 1 timeout, 2 asked to stop, 3 leftovers */
static volatile sig_atomic_t lingering = 0;      /* the command ended; the timer now waits for the rest */

static void on_signal(int sig) { stop_reason = sig != SIGALRM ? 2 : lingering ? 3 : 1; }

static int read_full(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r == 0 && p == (char *)buf ? 0 : -1;
    p += r;
    n -= r;
  }
  return 1;
}

static void fresh_area(const char *dir, uid_t uid, const char *size, const char *inodes) {
  unmount_all(dir);
  char opts[256];
  snprintf(opts, sizeof opts, "size=%s,nr_inodes=%s,mode=0700,uid=%u,gid=%u", size, inodes, uid, uid);
  if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) fail("mounting the work area");
}

/* One frame of the control stream: u32 name length, name, u64 data length (data follows). */
static int read_frame_head(char name[256], uint64_t *data_len) {
  uint32_t name_len;
  int r = read_full(ctl, &name_len, sizeof name_len);
  if (r == 0) return 0;
  if (r < 0 || name_len == 0 || name_len > 255) fail("reading the run");
  if (read_full(ctl, name, name_len) != 1 || read_full(ctl, data_len, sizeof *data_len) != 1)
    fail("reading the run");
  name[name_len] = 0;
  return 1;
}

/* Inputs follow the config frame; each is created (never through a link) and given to uid. */
static void write_inputs(const char *dir, uid_t uid) {
  int dfd = open(dir, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) fail("opening the work area");
  static char buf[65536];
  char name[256];
  uint64_t data_len;
  while (read_frame_head(name, &data_len)) {
    if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
      errno = EINVAL;
      fail("input name");
    }
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 || fchown(fd, uid, uid) < 0) fail(name);
    while (data_len > 0) {
      size_t chunk = data_len < sizeof buf ? data_len : sizeof buf;
      if (read_full(ctl, buf, chunk) != 1) fail("reading the inputs");
      for (size_t off = 0; off < chunk;) {
        ssize_t w = write(fd, buf + off, chunk - off);
        if (w < 0) fail(name);
        off += w;
      }
      data_len -= chunk;
    }
    close(fd);
  }
  close(dfd);
}

static int rlimit_of(const char *name) {
  static const struct { const char *name; int resource; } table[] = {
      {"as", RLIMIT_AS},       {"cpu", RLIMIT_CPU},       {"nproc", RLIMIT_NPROC},
      {"fsize", RLIMIT_FSIZE}, {"nofile", RLIMIT_NOFILE}, {"core", RLIMIT_CORE}};
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (!strcmp(table[i].name, name)) return table[i].resource;
  return -1;
}

struct run_opts {
  char *config;
  uint64_t config_len;
  uid_t uid;
  pid_t ppid;
  long timeout_ms;
  int gui;
  const char *workdir, *size, *inodes, *seccomp;
  const char *cgroups[8];
  int ncgroups;
  const char *rlimits[16];
  int nrlimits;
  char **argv;
};

/* Options common to the command line (fixed per slot) and the config frame (per run). */
static int parse_opts(struct run_opts *o, char **argv, int argc) {
  int i = 0;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) return i + 1;
    if (!strcmp(a, "--gui")) {
      o->gui = 1;
      continue;
    }
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) break;
    if (!strcmp(a, "--uid")) o->uid = strtoul(v, NULL, 10);
    else if (!strcmp(a, "--ppid")) o->ppid = strtol(v, NULL, 10);
    else if (!strcmp(a, "--ctl")) ctl = strtol(v, NULL, 10);
    else if (!strcmp(a, "--timeout-ms")) o->timeout_ms = strtol(v, NULL, 10);
    else if (!strcmp(a, "--workdir")) o->workdir = v;
    else if (!strcmp(a, "--size")) o->size = v;
    else if (!strcmp(a, "--inodes")) o->inodes = v;
    else if (!strcmp(a, "--seccomp")) o->seccomp = v;
    else if (!strcmp(a, "--cgroup") && o->ncgroups < 8) o->cgroups[o->ncgroups++] = v;
    else if (!strcmp(a, "--rlimit") && o->nrlimits < 16) o->rlimits[o->nrlimits++] = v;
    else break;
    i++;
  }
  if (i >= argc) return argc;
  errno = EINVAL;
  fail(argv[i]);
  return -1;
}

/* The config frame: the per-run options and the bwrap command, NUL-separated. */
static void child_exec(struct run_opts *o);

/* Parses the NUL-separated options and command of a config frame's data. */
static void parse_config(struct run_opts *o, char *data, uint64_t len) {
  data[len] = 0;
  int n = 0;
  for (uint64_t i = 0; i < len; i++) n += data[i] == 0;
  char **argv = calloc(n + 2, sizeof *argv);
  int k = 0;
  for (char *p = data; p < data + len; p += strlen(p) + 1) argv[k++] = p;
  argv[k] = NULL;
  int at = parse_opts(o, argv, k);
  o->argv = argv + at;
  if (!o->argv[0] || !o->size || !o->inodes) {
    errno = EINVAL;
    fail("config");
  }
}

static void read_config(struct run_opts *o) {
  char name[256];
  uint64_t len;
  if (!read_frame_head(name, &len)) exit(0); /* never used: ff2 closed or released the slot */
  if (strcmp(name, "/config") || len == 0 || len > 1 << 20) {
    errno = EINVAL;
    fail("config frame");
  }
  char *data = malloc(len + 1);
  if (!data || read_full(ctl, data, len) != 1) fail("reading the config");
  o->config = malloc(len + 1);
  memcpy(o->config, data, len);
  o->config_len = len;
  parse_config(o, data, len);
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

static void child_exec(struct run_opts *o) {
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
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) fail("pipe");
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    close(go[1]);
    zygote(o, go[0]);
  }
  close(go[0]);
  read_config(o);
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
  return 0;
}

static int parse_run(int argc, char **argv) {
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
