/**
 * Downloads a file a person attached, reading at most `maxBytes` of it: undefined when it turns
 * out larger (the announced size can be wrong), so an oversized file is never held in memory.
 * @throws Error naming the HTTP status for a failed request (the adapter maps it to AdapterError).
 */
export async function downloadCapped(
  fetchImpl: typeof fetch,
  url: string,
  maxBytes: number,
  headers: Record<string, string> = {},
): Promise<Uint8Array | undefined> {
  const response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(60_000) });
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
