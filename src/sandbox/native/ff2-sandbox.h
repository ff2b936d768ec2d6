/* Shared declarations of the ff2-sandbox helper's parts (see main.c for what it does). */
#ifndef FF2_SANDBOX_H
#define FF2_SANDBOX_H

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

/* The control fd of a run (reports go there), or -1: reports go to stderr. */
extern int ctl;

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

void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports "error WHAT: strerror(errno)" and exits 125. */
void fail(const char *what) __attribute__((noreturn));

/* seccomp.c */
int write_bpf(const char *path);

/* uid.c */
int count_uid(uid_t uid);
void kill_all_once(uid_t uid);
int kill_all(uid_t uid, int ms);
void unmount_all(const char *path);
int lock_slots(const char *dir, const char *work, unsigned first, unsigned count, unsigned want);

/* setup.c */
int read_full(int fd, void *buf, size_t n);
void fresh_area(const char *dir, uid_t uid, const char *size, const char *inodes);
void write_inputs(const char *dir, uid_t uid);
int parse_opts(struct run_opts *o, char **argv, int argc);
void parse_config(struct run_opts *o, char *data, uint64_t len);
/* Reads the config frame; 0 when the control stream ended first (the run never came). */
int read_config(struct run_opts *o);
/* RLIMIT_* for "as", "cpu", "nproc", "fsize", "nofile", "core"; -1 otherwise. */
int rlimit_of(const char *name);

/* run.c */
int parse_run(int argc, char **argv);
void child_exec(struct run_opts *o) __attribute__((noreturn));

#endif
