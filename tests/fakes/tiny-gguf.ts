import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes a tiny llama-architecture GGUF with seeded random weights (~0.5 MB, loads in tens of ms)
 * so tests exercise the real node-llama-cpp path without downloading a model.
 * Recipe: ../../shared/design/SANDBOX.md §3. Output is gibberish; grammars keep it parseable.
 */

export interface TinyGgufOptions {
  /** PRNG seed for the weights. Default 1. */
  seed?: number;
  /** Default 512. */
  contextLength?: number;
  /** Adds a ChatML `tokenizer.chat_template` so the model's own template is used. Default true. */
  chatTemplate?: boolean;
}

const N_EMBD = 64;
const N_FF = 128;
const N_HEAD = 2;
const N_HEAD_KV = 2;
const HEAD_DIM = N_EMBD / N_HEAD;
const N_BLOCKS = 2;
const ALIGN = 32;

const T = { U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;
type Kv =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'str'; value: string }
  | { type: 'str[]'; value: string[] }
  | { type: 'f32[]'; value: number[] }
  | { type: 'i32[]'; value: number[] };

/** Writes the model into a new temp directory (or `dir`) and returns its path. */
export function writeTinyGguf(dir?: string, options: TinyGgufOptions = {}): string {
  const target = dir ?? mkdtempSync(join(tmpdir(), 'ff2-tiny-gguf-'));
  mkdirSync(target, { recursive: true });
  const path = join(target, 'tiny-llama.gguf');
  writeFileSync(path, buildTinyGguf(options));
  return path;
}

export function buildTinyGguf(options: TinyGgufOptions = {}): Buffer {
  const { tokens, scores, types } = vocabulary();
  const nVocab = tokens.length;
  const kvs: [string, Kv][] = [
    ['general.architecture', { type: 'str', value: 'llama' }],
    ['general.name', { type: 'str', value: 'ff2-tiny' }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['general.alignment', { type: 'u32', value: ALIGN }],
    ['llama.context_length', { type: 'u32', value: options.contextLength ?? 512 }],
    ['llama.embedding_length', { type: 'u32', value: N_EMBD }],
    ['llama.block_count', { type: 'u32', value: N_BLOCKS }],
    ['llama.feed_forward_length', { type: 'u32', value: N_FF }],
    ['llama.attention.head_count', { type: 'u32', value: N_HEAD }],
    ['llama.attention.head_count_kv', { type: 'u32', value: N_HEAD_KV }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: HEAD_DIM }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', { type: 'u32', value: nVocab }],
    ['tokenizer.ggml.model', { type: 'str', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'str[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
  if (options.chatTemplate !== false) kvs.push(['tokenizer.chat_template', { type: 'str', value: CHATML }]);

  const tensors: { name: string; dims: number[] }[] = [
    { name: 'token_embd.weight', dims: [N_EMBD, nVocab] },
    { name: 'output_norm.weight', dims: [N_EMBD] },
    { name: 'output.weight', dims: [N_EMBD, nVocab] },
  ];
  for (let i = 0; i < N_BLOCKS; i++) {
    const b = `blk.${i}`;
    tensors.push(
      { name: `${b}.attn_norm.weight`, dims: [N_EMBD] },
      { name: `${b}.attn_q.weight`, dims: [N_EMBD, N_EMBD] },
      { name: `${b}.attn_k.weight`, dims: [N_EMBD, HEAD_DIM * N_HEAD_KV] },
      { name: `${b}.attn_v.weight`, dims: [N_EMBD, HEAD_DIM * N_HEAD_KV] },
      { name: `${b}.attn_output.weight`, dims: [N_EMBD, N_EMBD] },
      { name: `${b}.ffn_norm.weight`, dims: [N_EMBD] },
      { name: `${b}.ffn_gate.weight`, dims: [N_EMBD, N_FF] },
      { name: `${b}.ffn_up.weight`, dims: [N_EMBD, N_FF] },
      { name: `${b}.ffn_down.weight`, dims: [N_FF, N_EMBD] },
    );
  }

  const w = new Writer();
  w.raw(Buffer.from('GGUF'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [key, kv] of kvs) {
    w.str(key);
    writeKv(w, kv);
  }
  // Offsets are the running sum of padded sizes, in file order.
  let offset = 0;
  const sizes = tensors.map((t) => t.dims.reduce((a, b) => a * b, 1) * 4);
  tensors.forEach((t, i) => {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // F32
    w.u64(offset);
    offset += pad(sizes[i] ?? 0);
  });
  w.padTo(ALIGN);
  const random = mulberry32(options.seed ?? 1);
  tensors.forEach((t, i) => {
    const count = (sizes[i] ?? 0) / 4;
    const data = Buffer.alloc(pad(count * 4));
    const isNorm = t.name.endsWith('norm.weight');
    const scale = t.name === 'token_embd.weight' || t.name === 'output.weight' ? 1 : 0.3;
    for (let j = 0; j < count; j++) data.writeFloatLE(isNorm ? 1 : (random() * 2 - 1) * scale, j * 4);
    w.raw(data);
  });
  return w.done();
}

const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

function vocabulary(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  const scores = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
    scores.push(0);
  }
  const normal = ['▁'];
  for (let c = 33; c <= 126; c++) normal.push(String.fromCharCode(c));
  normal.forEach((piece, i) => {
    tokens.push(piece);
    types.push(1);
    scores.push(-100 - i);
  });
  const pieces = ['{"', '":', '",', '"}', 'true', 'false', 'null', 'ok', '▁the', 'answer'];
  pieces.forEach((piece, i) => {
    tokens.push(piece);
    types.push(1);
    scores.push(-1 - i);
  });
  return { tokens, scores, types };
}

function writeKv(w: Writer, kv: Kv): void {
  switch (kv.type) {
    case 'u32':
      w.u32(T.U32);
      w.u32(kv.value);
      return;
    case 'f32':
      w.u32(T.F32);
      w.f32(kv.value);
      return;
    case 'bool':
      w.u32(T.BOOL);
      w.raw(Buffer.from([kv.value ? 1 : 0]));
      return;
    case 'str':
      w.u32(T.STRING);
      w.str(kv.value);
      return;
    case 'str[]':
      w.u32(T.ARRAY);
      w.u32(T.STRING);
      w.u64(kv.value.length);
      for (const s of kv.value) w.str(s);
      return;
    case 'f32[]':
      w.u32(T.ARRAY);
      w.u32(T.F32);
      w.u64(kv.value.length);
      for (const n of kv.value) w.f32(n);
      return;
    case 'i32[]':
      w.u32(T.ARRAY);
      w.u32(T.I32);
      w.u64(kv.value.length);
      for (const n of kv.value) w.i32(n);
      return;
  }
}

function pad(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Writer {
  private parts: Buffer[] = [];
  private length = 0;
  raw(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.raw(b);
  }
  i32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.raw(b);
  }
  f32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.raw(b);
  }
  u64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.raw(b);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.raw(bytes);
  }
  padTo(align: number): void {
    const rest = this.length % align;
    if (rest) this.raw(Buffer.alloc(align - rest));
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}
