/** Paths and values the bubblewrap command line is built from. */
export interface BwrapLayout {
  /** Host work dir, mounted at /sandbox (a size-limited tmpfs of its own). */
  workDir: string;
  /** Host file bound over the interpreter's sitecustomize (arms faulthandler); null when not possible. */
  siteFile: string | null;
  /** Where the interpreter imports sitecustomize from, inside the sandbox. */
  siteTarget: string | null;
  /** Host copy of gui_driver.py, for GUI runs. */
  guiDriver: string | null;
  /** Script environment: [host, sandbox] paths bound read-only (operator venv, prepared caches). */
  roBinds?: readonly (readonly [string, string])[];
  /** Extra environment inside the sandbox. */
  env: Record<string, string>;
}

/** Inside the sandbox, the GUI driver lives here. */
export const GUI_DRIVER_PATH = '/etc/ff2/gui_driver.py';

/**
 * The verified recipe of SANDBOX.md §1: every namespace unshared (no network, own pid namespace
 * so /proc shows only the sandbox), read-only system, private /tmp, no capabilities, dies with
 * its parent, clean environment. bwrap's own init is pid 1, never the script: the kernel then
 * lets the script signal its own process group, and when the init dies (with bwrap, with the
 * helper, with the bot) the kernel kills everything in the namespace. The helper reaps the init.
 */
export function bwrapArgs(layout: BwrapLayout): string[] {
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--ro-bind',
    '/etc/alternatives',
    '/etc/alternatives',
    '--ro-bind-try',
    '/etc/fonts',
    '/etc/fonts',
    '--ro-bind-try',
    '/etc/ld.so.cache',
    '/etc/ld.so.cache',
    // Every writable place is a size-limited tmpfs (RAM): /usr/local hides the host's, /dev/shm
    // serves multiprocessing; /dev itself and /usr/local are made read-only below.
    '--size',
    '4096',
    '--tmpfs',
    '/usr/local',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(16 * 1024 * 1024),
    '--tmpfs',
    '/dev/shm',
    '--size',
    String(64 * 1024 * 1024),
    '--tmpfs',
    '/tmp',
  ];
  if (layout.siteFile && layout.siteTarget) args.push('--ro-bind', layout.siteFile, layout.siteTarget);
  if (layout.guiDriver) args.push('--ro-bind', layout.guiDriver, GUI_DRIVER_PATH);
  for (const [host, inside] of layout.roBinds ?? []) args.push('--ro-bind', host, inside);
  args.push('--bind', layout.workDir, '/sandbox', '--chdir', '/sandbox');
  args.push('--remount-ro', '/', '--remount-ro', '/dev', '--remount-ro', '/usr/local');
  args.push('--clearenv', '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'HOME', '/sandbox');
  args.push('--setenv', 'LANG', 'C.UTF-8', '--setenv', 'PYTHONDONTWRITEBYTECODE', '1');
  for (const [key, value] of Object.entries(layout.env)) args.push('--setenv', key, value);
  return args;
}
