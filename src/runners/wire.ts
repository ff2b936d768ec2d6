/** Run requests and results as JSON text for the run_jobs table: bytes as `{ "$b64": "…" }`. */
import type { RunRequest, RunResult } from '../sandbox/types.js';

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { $b64: Buffer.from(value).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { $b64?: unknown }).$b64 === 'string') {
    return new Uint8Array(Buffer.from((value as { $b64: string }).$b64, 'base64'));
  }
  return value;
}

/** The request without its abort signal (a remote run is stopped by its runner's limits). */
export function encodeRequest(request: RunRequest): string {
  const { signal: _signal, ...rest } = request;
  return JSON.stringify(rest, replacer);
}

export function decodeRequest(text: string): RunRequest {
  return JSON.parse(text, reviver) as RunRequest;
}

export function encodeResult(result: RunResult): string {
  return JSON.stringify(result, replacer);
}

export function decodeResult(text: string): RunResult {
  return JSON.parse(text, reviver) as RunResult;
}
