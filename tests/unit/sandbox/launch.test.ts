import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../../src/sandbox/bwrap-args.js';
import { launch } from '../../../src/sandbox/launch.js';

const tools = { setpriv: '/usr/bin/setpriv', prlimit: '/usr/bin/prlimit', bwrap: '/usr/bin/bwrap' };

describe('launch', () => {
  it('without cgroups, spawns setpriv as the slot UID with the parent-death signal first', () => {
    const chain = launch(tools, 61001, [], ['--nproc=64'], ['--unshare-all', '/usr/bin/python3']);
    expect(chain).toEqual({
      file: '/usr/bin/setpriv',
      args: [
        '--pdeathsig',
        'KILL',
        '--',
        '/usr/bin/prlimit',
        '--nproc=64',
        '--',
        '/usr/bin/bwrap',
        '--unshare-all',
        '/usr/bin/python3',
      ],
      uid: 61001,
    });
  });

  it('with cgroups, joins them as root and then drops to the slot UID before anything else runs', () => {
    const chain = launch(tools, 61002, ['/cg/mem/cgroup.procs', '/cg/pids/cgroup.procs'], [], ['x']);
    expect(chain.uid).toBeNull();
    expect(chain.file).toBe('/bin/sh');
    const [, script, name, count, ...rest] = chain.args;
    expect(script).toContain('exec "$@"');
    expect([name, count]).toEqual(['ff2-sandbox', '2']);
    expect(rest.slice(0, 2)).toEqual(['/cg/mem/cgroup.procs', '/cg/pids/cgroup.procs']);
    expect(rest.slice(2, 11)).toEqual([
      '/usr/bin/setpriv',
      '--reuid',
      '61002',
      '--regid',
      '61002',
      '--clear-groups',
      '--pdeathsig',
      'KILL',
      '--',
    ]);
  });
});

describe('bwrapArgs', () => {
  it('unshares everything, runs the script as pid 1 and leaves no writable place unbounded', () => {
    const args = bwrapArgs({
      workDir: '/w',
      siteFile: null,
      siteTarget: null,
      guiDriver: null,
      env: { A: '1' },
    });
    for (const flag of [
      '--unshare-all',
      '--disable-userns',
      '--as-pid-1',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
    ]) {
      expect(args).toContain(flag);
    }
    const tmpfs = args.flatMap((a, i) => (a === '--tmpfs' ? [i] : []));
    expect(tmpfs.length).toBeGreaterThanOrEqual(3);
    for (const at of tmpfs) expect(args[at - 2]).toBe('--size');
    const readOnly = args.flatMap((a, i) => (a === '--remount-ro' ? [args[i + 1]] : []));
    expect(readOnly).toEqual(['/', '/dev', '/usr/local']);
    expect(args.slice(-2)).toEqual(['A', '1']);
  });
});
