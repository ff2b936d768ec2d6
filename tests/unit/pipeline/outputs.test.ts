import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, outputAttachments, previewOf } from '../../../src/pipeline/outputs.js';
import { xlsxPreview } from '../../../src/pipeline/xlsx-preview.js';
import type { OutputFile } from '../../../src/sandbox/types.js';

const text = (s: string) => new TextEncoder().encode(s);
function file(name: string, data: Uint8Array, modifiedMs = 0): OutputFile {
  return { name, bytes: data.length, data, modifiedMs };
}

describe('run outputs in the report', () => {
  it('posts images first, newest first, with their image type, capped in count and size', () => {
    const big = { ...file('huge.png', new Uint8Array(1), 99), bytes: MAX_IMAGE_BYTES + 1 };
    const out = outputAttachments([
      file('a.png', text('a'), 1),
      file('b.jpg', text('b'), 5),
      file('c.svg', text('<svg/>'), 3),
      file('d.gif', text('d'), 4),
      file('e.jpeg', text('e'), 2),
      big,
      file('notes.txt', text('hello'), 10),
    ]);
    expect(out.files.map((f) => [f.name, f.mime])).toEqual([
      ['b.jpg', 'image/jpeg'],
      ['d.gif', 'image/gif'],
      ['c.svg', 'image/svg+xml'],
      ['e.jpeg', 'image/jpeg'],
      ['notes.txt', undefined],
    ]);
    expect(out.lines[0]).toBe('Images: b.jpg, d.gif, c.svg, e.jpeg');
    expect(out.lines.at(-1)).toContain('Not posted: huge.png (5.0 MB, over 5.0 MB), a.png');
  });

  it('attaches CSV and JSON with a preview of the first rows', () => {
    const csv = 'region,sales\nNorth,300\nSouth,120\nEast,95\nWest,10\nMid,5\nFar,1\n';
    const out = outputAttachments([
      file('totals.csv', text(csv)),
      file(
        'rows.json',
        text(JSON.stringify([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }, { a: 5 }, { a: 6 }, { a: 7 }])),
      ),
    ]);
    expect(out.files.map((f) => f.mime)).toEqual(['text/csv', 'application/json']);
    expect(out.lines[0]).toBe(
      'totals.csv (first rows):\n```\nregion,sales\nNorth,300\nSouth,120\nEast,95\nWest,10\n… (2 more rows)\n```',
    );
    expect(out.lines[1]).toContain('7 items:\n{"a":1}');
    expect(out.lines[1]).toContain('… (2 more items)');
  });

  it('previews invalid JSON as text and gives no preview for empty files', () => {
    expect(previewOf(file('x.json', text('{"a": 1,\n  oops')))).toBe('{"a": 1,\n  oops\n…');
    expect(previewOf(file('x.csv', text('')))).toBeNull();
  });

  it('keeps the number of other attachments bounded', () => {
    const out = outputAttachments(Array.from({ length: 8 }, (_, i) => file(`f${i}.txt`, text('x'))));
    expect(out.files).toHaveLength(3);
    expect(out.lines.at(-1)).toBe('Not posted: f3.txt, f4.txt, f5.txt, f6.txt, f7.txt');
  });

  it('gives no xlsx preview (and no error) for bytes that are not a workbook', () => {
    expect(xlsxPreview(text('PK\u0005\u0006 not really a zip'), 5)).toBeNull();
    expect(xlsxPreview(new Uint8Array(0), 5)).toBeNull();
    expect(xlsxPreview(new Uint8Array(4096).fill(0x50), 5)).toBeNull();
  });
});
