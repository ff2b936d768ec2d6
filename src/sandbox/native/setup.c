/* A run's set-up: its config, a fresh work area and its inputs. */
#include "ff2-sandbox.h"

int read_full(int fd, void *buf, size_t n) {
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

void fresh_area(const char *dir, uid_t uid, const char *size, const char *inodes) {
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
void write_inputs(const char *dir, uid_t uid) {
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

int rlimit_of(const char *name) {
  static const struct { const char *name; int resource; } table[] = {
      {"as", RLIMIT_AS},       {"cpu", RLIMIT_CPU},       {"nproc", RLIMIT_NPROC},
      {"fsize", RLIMIT_FSIZE}, {"nofile", RLIMIT_NOFILE}, {"core", RLIMIT_CORE}};
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (!strcmp(table[i].name, name)) return table[i].resource;
  return -1;
}



/* Options common to the command line (fixed per slot) and the config frame (per run). */
int parse_opts(struct run_opts *o, char **argv, int argc) {
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
/* Parses the NUL-separated options and command of a config frame's data. */
void parse_config(struct run_opts *o, char *data, uint64_t len) {
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

int read_config(struct run_opts *o) {
  char name[256];
  uint64_t len;
  if (!read_frame_head(name, &len)) return 0; /* never used: ff2 closed or released the slot */
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
  return 1;
}

