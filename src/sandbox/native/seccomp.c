/* The seccomp denylist, built with libseccomp and exported as BPF for bwrap --seccomp. */
#include "ff2-sandbox.h"

static int deny(scmp_filter_ctx f, const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return 0; /* not on this architecture */
  return seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

int write_bpf(const char *path) {
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

