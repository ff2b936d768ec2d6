/**
 * Files a run wrote, as the run report shows them: images (PNG, JPEG, GIF, SVG) posted as
 * pictures, newest first, capped in count and size; tables and data (CSV, TSV, JSON, XLSX)
 * attached with a short preview of their first rows in the message; anything else attached.
 * Pure: output files in, attachments and preview text out.
 */
import type { OutputFile } from '../sandbox/types.js';
import type { DraftFile } from './types.js';
import { xlsxPreview } from './xlsx-preview.js';

/** Images posted per run report, at most. */
export const MAX_IMAGES = 4;
/** Largest image posted, in bytes (chat platforms refuse or shrink bigger ones). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Other output files attached per report, at most (with images, logs and a screenshot: ≤ 10, Discord's cap). */
export const MAX_OTHER_FILES = 3;
/** Rows shown in a table's preview. */
export const PREVIEW_ROWS = 5;
const PREVIEW_WIDTH = 160;
/** Previews per report and characters per preview: the report stays within one chat message. */
const MAX_PREVIEWS = 2;
const PREVIEW_CHARS = 500;

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};
const DATA_TYPES: Readonly<Record<string, string>> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface OutputAttachments {
  /** Images first (newest first), then data files, then the rest. */
  files: DraftFile[];
  /** Lines for the message: what was posted, previews, what was left out. */
  lines: string[];
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function isImageName(name: string): boolean {
  return extensionOf(name) in IMAGE_TYPES;
}

export function outputAttachments(outputs: readonly OutputFile[]): OutputAttachments {
  const files: DraftFile[] = [];
  const lines: string[] = [];
  const left: string[] = [];
  const images = outputs
    .filter((f) => isImageName(f.name))
    .sort((a, b) => (b.modifiedMs ?? 0) - (a.modifiedMs ?? 0) || a.name.localeCompare(b.name));
  const posted: string[] = [];
  for (const image of images) {
    if (image.bytes > MAX_IMAGE_BYTES)
      left.push(`${image.name} (${mb(image.bytes)}, over ${mb(MAX_IMAGE_BYTES)})`);
    else if (posted.length >= MAX_IMAGES) left.push(image.name);
    else {
      files.push({ name: image.name, bytes: image.data, mime: IMAGE_TYPES[extensionOf(image.name)]! });
      posted.push(image.name);
    }
  }
  if (posted.length > 0) lines.push(`Images: ${posted.join(', ')}`);
  let others = 0;
  let previews = 0;
  for (const file of outputs) {
    if (isImageName(file.name)) continue;
    if (others >= MAX_OTHER_FILES) {
      left.push(file.name);
      continue;
    }
    others++;
    const mime = DATA_TYPES[extensionOf(file.name)];
    files.push({ name: file.name, bytes: file.data, ...(mime ? { mime } : {}) });
    const preview = mime && previews < MAX_PREVIEWS ? previewOf(file) : null;
    if (preview) {
      previews++;
      const cut = preview.length > PREVIEW_CHARS ? `${preview.slice(0, PREVIEW_CHARS)}…` : preview;
      lines.push(`${file.name} (first rows):\n\`\`\`\n${cut}\n\`\`\``);
    }
  }
  if (left.length > 0) lines.push(`Not posted: ${left.join(', ')}`);
  return { files, lines };
}

/** The first rows of a table or data file as text; null when there is nothing to show. */
export function previewOf(file: Pick<OutputFile, 'name' | 'data'>): string | null {
  const ext = extensionOf(file.name);
  if (ext === 'xlsx') return xlsxPreview(file.data, PREVIEW_ROWS);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(file.data.subarray(0, 64 * 1024));
  if (ext === 'json') return jsonPreview(text, file.data.length > 64 * 1024);
  const rows = text.replace(/\r\n/g, '\n').split('\n');
  const shown = rows.slice(0, PREVIEW_ROWS).map(clip);
  const total = text.endsWith('\n') ? rows.length - 1 : rows.length;
  if (shown.every((r) => r.trim() === '')) return null;
  const more =
    file.data.length > 64 * 1024
      ? '\n…'
      : total > PREVIEW_ROWS
        ? `\n… (${total - PREVIEW_ROWS} more rows)`
        : '';
  return `${shown.join('\n').trimEnd()}${more}`;
}

function jsonPreview(text: string, cut: boolean): string | null {
  if (!cut) {
    try {
      const value: unknown = JSON.parse(text);
      if (Array.isArray(value)) {
        const head = value.slice(0, PREVIEW_ROWS).map((v) => clip(JSON.stringify(v)));
        const more = value.length > PREVIEW_ROWS ? `\n… (${value.length - PREVIEW_ROWS} more items)` : '';
        return `${value.length} items:\n${head.join('\n')}${more}`;
      }
      return JSON.stringify(value, null, 2).split('\n').slice(0, 8).map(clip).join('\n');
    } catch {
      // Not valid JSON: show its first lines as text.
    }
  }
  const lines = text.split('\n').slice(0, PREVIEW_ROWS).map(clip);
  return lines.join('\n').trim() ? `${lines.join('\n')}\n…` : null;
}

function clip(line: string): string {
  return line.length <= PREVIEW_WIDTH ? line : `${line.slice(0, PREVIEW_WIDTH - 1)}…`;
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
