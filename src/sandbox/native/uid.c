/* Processes of a slot UID, and host-wide ownership of slot UIDs. */
#include "ff2-sandbox.h"

/* Live (non-zombie) processes whose real UID is uid. */
int count_uid(uid_t uid) {
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
void kill_all_once(uid_t uid) {
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
int kill_all(uid_t uid, int ms) {
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

void unmount_all(const char *path) {
  for (int i = 0; i < 16 && umount2(path, MNT_DETACH) == 0; i++) {
  }
}

int lock_slots(const char *dir, const char *work, unsigned first, unsigned count, unsigned want) {
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

