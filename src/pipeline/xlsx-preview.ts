/**
 * The first rows of the first sheet of an .xlsx file, as text, without a spreadsheet library: an
 * .xlsx is a zip of XML parts; this reads the zip's central directory, inflates at most a few MiB
 * of two parts (the first worksheet, the shared strings) and picks the cell values out. Hostile
 * input is expected (the file comes from a script): every offset is bounds-checked and anything
 * odd gives null.
 */
import { inflateRawSync } from 'node:zlib';

const MAX_PART_BYTES = 4 * 1024 * 1024;

export function xlsxPreview(data: Uint8Array, rows: number): string | null {
  try {
    const parts = zipEntries(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    const sheetName =
      [...parts.keys()].filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).sort(bySheetNumber)[0] ??
      null;
    if (!sheetName) return null;
    const sheet = parts.get(sheetName)!();
    const sharedPart = parts.get('xl/sharedStrings.xml');
    const shared = sharedPart ? sharedStrings(sharedPart()) : [];
    const out: string[] = [];
    let total = 0;
    for (const row of sheet.matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
      total++;
      if (out.length >= rows) continue;
      const cells = [...row[1]!.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)].map((c) =>
        cellValue(c[1] ?? '', c[2] ?? '', shared),
      );
      out.push(cells.join(' | ').slice(0, 160));
    }
    if (out.length === 0) return null;
    const more = total > rows ? `\n… (${total - rows} more rows)` : '';
    return `${out.join('\n')}${more}`;
  } catch {
    return null;
  }
}

function bySheetNumber(a: string, b: string): number {
  return Number(/(\d+)\.xml$/.exec(a)?.[1]) - Number(/(\d+)\.xml$/.exec(b)?.[1]);
}

function cellValue(attrs: string, inner: string, shared: readonly string[]): string {
  const type = /\bt="([^"]+)"/.exec(attrs)?.[1];
  const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
  if (type === 's') return shared[Number(v)] ?? '';
  if (type === 'inlineStr') return texts(inner);
  if (type === 'b') return v === '1' ? 'TRUE' : 'FALSE';
  return v === undefined ? '' : unescapeXml(v);
}

function sharedStrings(xml: string): string[] {
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]!));
}

function texts(xml: string): string {
  return [...xml.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((m) => unescapeXml(m[1]!)).join('');
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x?[0-9a-fA-F]+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e] ?? '';
  });
}

/** Entry name → a function that reads it (lazily), from the zip's central directory. */
function zipEntries(zip: Buffer): Map<string, () => string> {
  const entries = new Map<string, () => string>();
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return entries;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let n = 0; n < count && at + 46 <= zip.length; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) break;
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, () => readEntry(zip, local, method, size));
    at += 46 + skip;
  }
  return entries;
}

function readEntry(zip: Buffer, local: number, method: number, size: number): string {
  if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw new Error('bad entry');
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const raw = zip.subarray(start, Math.min(zip.length, start + size));
  if (method === 0) return raw.subarray(0, MAX_PART_BYTES).toString('utf8');
  if (method !== 8) throw new Error('unsupported compression');
  return inflateRawSync(raw, { maxOutputLength: MAX_PART_BYTES }).toString('utf8');
}
