import { describe, expect, it } from 'vitest';
import { parseTraceback } from '../../../src/sandbox/traceback.js';

describe('parseTraceback', () => {
  it('reads the frames and exception of a Python 3.11 traceback, ignoring code and caret lines', () => {
    const stderr = [
      'some output first',
      'Traceback (most recent call last):',
      '  File "/sandbox/main.py", line 9, in <module>',
      '    main()',
      '  File "/sandbox/main.py", line 3, in compute',
      '    return 1 / x',
      '           ~~^~~',
      'ZeroDivisionError: division by zero',
      '',
    ].join('\n');
    expect(parseTraceback(stderr)).toEqual({
      type: 'ZeroDivisionError',
      message: 'division by zero',
      frames: [
        { file: '/sandbox/main.py', line: 9, function: '<module>' },
        { file: '/sandbox/main.py', line: 3, function: 'compute' },
      ],
    });
  });

  it('keeps the last of chained tracebacks and shortens dotted exception names', () => {
    const stderr = [
      'Traceback (most recent call last):',
      '  File "/sandbox/main.py", line 2, in <module>',
      'KeyError: 1',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/sandbox/main.py", line 4, in <module>',
      'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
    ].join('\n');
    expect(parseTraceback(stderr)).toMatchObject({ type: 'JSONDecodeError', frames: [{ line: 4 }] });
  });

  it('reads an exception without a message', () => {
    const stderr =
      'Traceback (most recent call last):\n  File "/sandbox/main.py", line 1, in <module>\nKeyboardInterrupt\n';
    expect(parseTraceback(stderr)).toMatchObject({ type: 'KeyboardInterrupt', message: '' });
  });

  it('reads a SyntaxError of the main script, printed without a Traceback header', () => {
    const stderr = [
      '  File "/sandbox/main.py", line 4',
      '    def f(',
      '         ^',
      "SyntaxError: '(' was never closed",
    ].join('\n');
    expect(parseTraceback(stderr)).toEqual({
      type: 'SyntaxError',
      message: "'(' was never closed",
      frames: [{ file: '/sandbox/main.py', line: 4, function: '<module>' }],
    });
  });

  it('reads a faulthandler timeout dump, most recent call first, into outermost-first frames', () => {
    const stderr = [
      'Timeout (0:00:02.500000)!',
      'Thread 0x00007f476b237040 (most recent call first):',
      '  File "/usr/lib/python3.11/time.py", line 1 in sleep_helper',
      '  File "/sandbox/main.py", line 2 in spin',
      '  File "/sandbox/main.py", line 3 in <module>',
    ].join('\n');
    expect(parseTraceback(stderr)).toEqual({
      type: 'Timeout',
      message: 'still running after 0:00:02.500000',
      frames: [
        { file: '/sandbox/main.py', line: 3, function: '<module>' },
        { file: '/sandbox/main.py', line: 2, function: 'spin' },
        { file: '/usr/lib/python3.11/time.py', line: 1, function: 'sleep_helper' },
      ],
    });
  });

  it('reads a fatal error dump', () => {
    const stderr = [
      'Fatal Python error: Segmentation fault',
      '',
      'Current thread 0x00007f (most recent call first):',
      '  File "/sandbox/main.py", line 5 in crash',
      '  File "/sandbox/main.py", line 7 in <module>',
      '',
    ].join('\n');
    expect(parseTraceback(stderr)).toMatchObject({
      type: 'FatalError',
      message: 'Segmentation fault',
      frames: [{ line: 7 }, { line: 5 }],
    });
  });

  it('returns null when stderr holds no traceback', () => {
    expect(parseTraceback('warning: something\n')).toBeNull();
    expect(parseTraceback('')).toBeNull();
  });
});
