import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../../src/sandbox/bwrap-args.js';
import { frame } from '../../../src/sandbox/runner.js';

describe('bwrapArgs', () => {
  it('unshares everything, never makes the script pid 1, and leaves no writable place unbounded', () => {
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
      '--die-with-parent',
      '--new-session',
      '--clearenv',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).not.toContain('--as-pid-1');
    const tmpfs = args.flatMap((a, i) => (a === '--tmpfs' ? [i] : []));
    expect(tmpfs.length).toBeGreaterThanOrEqual(3);
    for (const at of tmpfs) expect(args[at - 2]).toBe('--size');
    const readOnly = args.flatMap((a, i) => (a === '--remount-ro' ? [args[i + 1]] : []));
    expect(readOnly).toEqual(['/', '/dev', '/usr/local']);
    expect(args.slice(-2)).toEqual(['A', '1']);
  });
});

describe('helper frames', () => {
  it('encode a name and its bytes as the helper reads them (u32 LE length, name, u64 LE length, data)', () => {
    const bytes = frame('a.txt', new Uint8Array([1, 2, 3]));
    expect(bytes.readUInt32LE(0)).toBe(5);
    expect(bytes.subarray(4, 9).toString()).toBe('a.txt');
    expect(bytes.readBigUInt64LE(9)).toBe(3n);
    expect([...bytes.subarray(17)]).toEqual([1, 2, 3]);
  });
});
