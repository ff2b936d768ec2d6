/**
 * Cuts bytes to at most `max` without splitting a UTF-8 sequence, and decodes them with
 * replacement characters for invalid input: the result is always a valid string.
 */
export function capUtf8(bytes: Uint8Array, max: number): { text: string; truncated: boolean } {
  if (bytes.length <= max) return { text: decode(bytes), truncated: false };
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
  let back = 0;
  while (end > 0 && back < 3 && ((bytes[end] ?? 0) & 0xc0) === 0x80) {
    end--;
    back++;
  }
  return { text: decode(bytes.subarray(0, end)), truncated: true };
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
